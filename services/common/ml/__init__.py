"""The ML rules every process shares: task type, metric direction and ranking score,
pipeline specs and dataset meta-features. A library, not a service: no transport, no
database, no I/O. Import the module you need (`services.common.ml.tasks`, …); this package
imports nothing so that the light modules stay light (the heavy ones import sklearn lazily).
"""
