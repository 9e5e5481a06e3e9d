"""The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters, the last a
check character computed from the first 17.

The alphabet is the digits and the capital letters without I, O, Z, S and V (31 characters); each
character stands for its position in it. Position i (from 0) weighs 3**i mod 31, and the check
character is the one whose value is (31 − Σ value × weight mod 31) mod 31.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
WEIGHTS = tuple(3**i % 31 for i in range(LENGTH - 1))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, …
VALUES = {character: value for value, character in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The check character of the first 17 characters (which must be in the alphabet)."""
    total = sum(VALUES[character] * weight for character, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[-total % 31]


def is_valid_credit_code(code: str) -> bool:
    """Whether `code` is a well-formed code with the right check character (upper case, no spaces)."""
    if not isinstance(code, str) or len(code) != LENGTH or any(character not in VALUES for character in code):
        return False
    return check_character(code[:-1]) == code[-1]
