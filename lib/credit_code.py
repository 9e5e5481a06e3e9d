"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a
check character computed from the first 17.

The alphabet has 31 characters (digits and capitals without I, O, Z, S, V); character i (from 0)
weighs 3^i mod 31; the check character is the one whose value is 31 − (Σ value·weight mod 31),
mod 31. Pure functions, no Django.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {character: value for value, character in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, index, 31) for index in range(17))
LENGTH = 18


def normalised(code: str) -> str:
    """The code as it is stored: without spaces, in capitals."""
    return "".join(code.split()).upper()


def check_character(first_17: str) -> str:
    """The check character of a code's first 17 characters (all of ALPHABET)."""
    total = sum(VALUES[character] * weight for character, weight in zip(first_17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` (normalised) is not a valid unified social credit code, in Chinese, or None."""
    if len(code) != LENGTH:
        return f"统一社会信用代码应为 {LENGTH} 位，「{code}」是 {len(code)} 位。"
    wrong = [character for character in code if character not in VALUES]
    if wrong:
        return f"统一社会信用代码只含数字和大写字母（不含 I、O、Z、S、V），「{wrong[0]}」不能出现。"
    if check_character(code[:17]) != code[17]:
        return "统一社会信用代码的校验位不对，请核对是否抄错（可在国家企业信用信息公示系统查询）。"
    return None


def is_valid(code: str) -> bool:
    return problem(normalised(code)) is None


def is_valid_credit_code(code: str) -> bool:
    """Whether `code`, exactly as given (upper case, no spaces), is a well-formed code with the right
    check character: the import's question, which takes no liberties with what the file says."""
    return isinstance(code, str) and problem(code) is None
