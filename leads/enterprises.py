"""The target-enterprise library's rules that are not one model's (domain.md §10): the duplicates
an addition would make, and the rows of the library's Excel export."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import CharField, F, Q, QuerySet, Value

from lib.xlsx import Column

from .models import TargetEnterprise

SIMILAR_SHOWN = 5


def same_enterprise(*, name: str = "", credit_code: str = "", exclude_pk: int | None = None) -> TargetEnterprise | None:
    """An enterprise already in the library under exactly this name or credit code (an addition
    of it is refused), or None."""
    condition = Q()
    if name:
        condition |= Q(name=name)
    if credit_code:
        condition |= Q(credit_code=credit_code)
    if not condition:
        return None
    return TargetEnterprise.objects.filter(condition).exclude(pk=exclude_pk).order_by("pk").first()


def similar_enterprises(name: str, *, exclude_pk: int | None = None) -> list[TargetEnterprise]:
    """Enterprises whose name contains `name` or is contained in it (华为 and 华为技术有限公司):
    perhaps the same enterprise, for the user to confirm. The first few, shortest names first."""
    if not name:
        return []
    given = Value(name, output_field=CharField())
    rows = (
        TargetEnterprise.objects.annotate(given=given)
        .filter(Q(name__icontains=name) | Q(given__icontains=F("name")))
        .exclude(pk=exclude_pk)
        .exclude(name=name)
    )
    return sorted(rows.order_by("name")[: SIMILAR_SHOWN * 4], key=lambda enterprise: (len(enterprise.name), enterprise.name))[
        :SIMILAR_SHOWN
    ]


# --- The Excel export --------------------------------------------------------------------------

EXPORT_COLUMNS = [
    Column("企业名称", 36),
    Column("统一社会信用代码", 22),
    Column("所在省份", 12),
    Column("所在城市", 14),
    Column("本地企业", 8),
    Column("榜单", 36),
    Column("产业链环节", 48),
    Column("所属集团总部", 30),
    Column("备注", 40),
]


def for_export(enterprises: QuerySet) -> QuerySet:
    return enterprises.select_related("parent").prefetch_related("memberships", "chain_links")


def export_rows(enterprises: Iterable[TargetEnterprise]) -> Iterator[list[object]]:
    """One row per enterprise (memberships, chain links and parent fetched with it: for_export)."""
    for enterprise in enterprises:
        yield [
            enterprise.name,
            enterprise.credit_code,
            enterprise.province,
            enterprise.city,
            "是" if enterprise.is_local else "否",
            "；".join(str(membership) for membership in enterprise.memberships.all()),
            "；".join(link.label for link in enterprise.chain_links.all()),
            enterprise.parent.name if enterprise.parent else "",
            enterprise.note,
        ]
