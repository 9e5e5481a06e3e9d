"""lib/display.py: numbers rounded half up for display only; full precision where entered."""

from decimal import Decimal as D

from lib import display


def test_the_money_formatter_gives_two_decimals():
    assert [display.money(v) for v in (D("25"), D("5.0001"), D("3.3612"), D("3.365"), D("0.5"))] == [
        "25.00", "5.00", "3.36", "3.37", "0.50"
    ]


def test_a_missing_figure_is_a_dash():
    assert [display.money(None), display.rate(None), display.percent(None), display.count(None)] == ["–"] * 4
    assert display.plain(None) is None


def test_a_rate_is_a_percentage_with_two_decimals_rounded_half_up():
    assert [display.rate(v) for v in (D("0.21625"), D("1"), D("0"))] == ["21.63%", "100.00%", "0.00%"]


def test_a_share_drops_needless_zeros():
    assert [display.percent(v) for v in (D("0.8"), D("0.125"), D(1) / D(30), D(1))] == ["80%", "12.5%", "3.33%", "100%"]


def test_an_amount_is_a_whole_count_or_money():
    assert display.amount(D("3"), is_count=True) == "3"
    assert display.amount(D("3"), is_count=False) == "3.00"


def test_plain_keeps_full_precision_without_exponent_or_trailing_zeros():
    assert [display.plain(v) for v in (D("1.2300"), D("1E+2"), D("0.0001"), D("0"))] == ["1.23", "100", "0.0001", "0"]


def test_a_cjk_character_takes_two_columns():
    assert display.width("涪陵ab") == 6
    assert display.pad("涪陵", 6) == "涪陵  "
    assert display.pad("12", 4, right=True) == "  12"


def test_a_ratio_for_machines_has_four_decimals_rounded_half_up():
    assert display.ratio(D(7) / D(12)) == "0.5833"
    assert display.ratio(D(1) / D(6)) == "0.1667"
    assert display.ratio(D("0.00005")) == "0.0001"
    assert display.ratio(D(0)) == "0.0000" and display.ratio(D(1)) == "1.0000"
    assert display.ratio(None) is None
