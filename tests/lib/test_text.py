import pytest

from lib.text import one_line, whole_number, without_controls


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\x01=cmd", "=cmd"),
        ("某某\x00集团\x7f有限公司", "某某集团有限公司"),
        ("  某某\t集团\n有限公司\r\n", "某某 集团 有限公司"),
        ("涪陵\u200b新城区", "涪陵\u200b新城区"),  # a format character (Cf) is not a control character
        ("FL2021-00001", "FL2021-00001"),
        ("", ""),
    ],
)
def test_control_characters_are_dropped_and_line_breaks_become_spaces(typed, kept):
    assert one_line(typed) == kept


def test_separating_white_space_is_kept_when_only_the_controls_go():
    assert without_controls("区商务委\n区经济信息委\x01") == "区商务委\n区经济信息委"


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("999999999", 999999999), ("1000000000", None), ("²", None), ("١٢", None),
     ("-1", None), ("1.5", None), ("", None), (None, None)],
)
def test_a_whole_number_is_ascii_digits_short_enough_for_an_integer_column(text, number):
    assert whole_number(text) == number
