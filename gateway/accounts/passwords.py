"""The password policy: long enough, not absurdly long, and not guessable.

Guessability is zxcvbn's estimate (Dropbox's estimator, maintained on PyPI as `zxcvbn`): it
knows the common-password lists, dictionary words, keyboard walks, repeats ("        ",
"aaaaaaaa"), sequences ("12345678") and dates, and it is told the username so "ada12345" for
"ada" counts as guessable. Score 0-4; below `MIN_SCORE` is refused with zxcvbn's own hint.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from services.common.errors import AscentError

PASSWORD_MIN = 8
# Argon2 cost grows with input; an unbounded password is a cheap denial of service.
PASSWORD_MAX = 1024
# zxcvbn 2: "somewhat guessable, protection from throttled online attacks" (< 10^8 guesses
# at 3); with the login throttle of gateway.accounts.throttle that is what an online attacker
# gets. 0 and 1 are the common-password, repeat and sequence cases of issue 18.
MIN_SCORE = 2
# zxcvbn refuses more than 72 characters (a ValueError: the 500 schemathesis found) because
# its run time grows with length: it sees a prefix (a longer password is not made weaker by
# its tail).
_SCORED_CHARS = 72


def check_password(password: str, username: str = "") -> None:
    """None when `password` may be set for `username`; else a 400 that says why."""
    if len(password) < PASSWORD_MIN:
        raise AscentError(
            "invalid_argument", f"Password must be at least {PASSWORD_MIN} characters long."
        )
    if len(password) > PASSWORD_MAX:
        raise AscentError(
            "invalid_argument", f"Password must be at most {PASSWORD_MAX} characters long."
        )
    if not password.strip():
        raise AscentError("invalid_argument", "Password must not be only spaces.")
    inputs = [username] if username else []
    result = zxcvbn(password[:_SCORED_CHARS], user_inputs=inputs)
    if int(result["score"]) >= MIN_SCORE:
        return
    feedback = result.get("feedback") or {}
    warning = str(feedback.get("warning") or "").strip()
    hints = [str(hint) for hint in feedback.get("suggestions") or [] if hint]
    if username and password.casefold().find(username.casefold()) >= 0 and not warning:
        warning = "It contains your username."
    hint = hints[0] if hints else "Add another word or two. Uncommon words are better."
    reason = " ".join(part for part in [warning, hint] if part)
    raise AscentError("invalid_argument", f"That password is too easy to guess. {reason}")
