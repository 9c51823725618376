"""Regenerate the Python gRPC/protobuf stubs next to the .proto files.

Usage: python proto/generate.py [--check]
--check generates into a temporary folder and fails when the checked-in stubs differ.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parent
WELL_KNOWN = Path(grpc_tools.__file__).resolve().parent / "_proto"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def generate(out_dir: Path) -> None:
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{WELL_KNOWN}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for package_dir in {p.parent for p in out_dir.rglob("*_pb2.py")}:
        current = package_dir
        while current != out_dir:
            (current / "__init__.py").touch()
            current = current.parent


def generated_files(root: Path) -> set[Path]:
    return {
        p.relative_to(root)
        for p in (root / "ascent").rglob("*")
        if p.is_file() and (p.name.endswith(GENERATED_SUFFIXES) or p.name == "__init__.py")
    }


def main() -> int:
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out)
        fresh = generated_files(out)
        if check:
            current = generated_files(PROTO_ROOT)
            drift = sorted(
                str(p)
                for p in fresh | current
                if p not in fresh
                or p not in current
                or not filecmp.cmp(out / p, PROTO_ROOT / p, shallow=False)
            )
            if drift:
                print("generated stubs are out of date; run `make proto`:", *drift, sep="\n  ")
                return 1
            print(f"stubs up to date ({len(fresh)} files)")
            return 0
        for stale in generated_files(PROTO_ROOT) - fresh:
            (PROTO_ROOT / stale).unlink()
        for rel in fresh:
            (PROTO_ROOT / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / rel, PROTO_ROOT / rel)
        print(f"generated {len(fresh)} files under {PROTO_ROOT / 'ascent'}")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
