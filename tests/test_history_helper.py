"""targets.history.changed_fields: the one diff of two records of an object (projects' and the
targets' history pages both read it; their tests check the rendered history)."""

from types import SimpleNamespace

from targets.history import changed_fields

FIELDS = ["agreement_capital", "major_projects", "arrived_capital"]


def test_a_creation_changes_every_field_given_a_value():
    created = SimpleNamespace(agreement_capital=5, major_projects=None, arrived_capital=0)
    assert changed_fields(None, created, FIELDS) == ["agreement_capital", "arrived_capital"]


def test_a_deletion_changes_every_field_that_had_a_value():
    deleted = SimpleNamespace(agreement_capital=None, major_projects=2, arrived_capital=None)
    assert changed_fields(deleted, None, FIELDS) == ["major_projects"]


def test_nothing_on_either_side_changes_nothing():
    assert changed_fields(None, None, FIELDS) == []


def test_two_records_are_compared_by_diff_against_in_the_fields_order():
    class Record(SimpleNamespace):
        def diff_against(self, previous, *, included_fields):
            changed = sorted(name for name in included_fields if getattr(self, name) != getattr(previous, name))
            return SimpleNamespace(changed_fields=changed)

    before = Record(agreement_capital=1, major_projects=2, arrived_capital=3)
    after = Record(agreement_capital=1, major_projects=4, arrived_capital=0)
    assert changed_fields(before, after, ["arrived_capital", "agreement_capital", "major_projects"]) == [
        "arrived_capital",
        "major_projects",
    ]
