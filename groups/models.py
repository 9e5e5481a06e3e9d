from django.db import models


class PersonManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Person(models.Model):
    """A district leader or department head; one person may sit in several groups."""

    name = models.CharField("姓名", max_length=20, unique=True)
    title = models.CharField("职务", max_length=100)
    # The unit the person heads or works in, when it is one of the app's units: a commissioner's
    # unit sees the leads of the groups the person sits in (domain.md §10). District leaders have none.
    unit = models.ForeignKey(
        "targets.Unit", models.SET_NULL, null=True, blank=True, related_name="people", verbose_name="所在单位"
    )

    objects = PersonManager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class SpecialGroupQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)

    def with_people(self) -> "SpecialGroupQuerySet":
        """With the leader, the commissioners in their order and the landing units: 3 queries in all."""
        seats = Commissioner.objects.select_related("person").order_by("position")
        return self.select_related("leader").prefetch_related(models.Prefetch("seats", queryset=seats), "landing_units")

    def of_unit(self, unit_id: int) -> "SpecialGroupQuerySet":
        """The groups `unit_id` works in: as a landing unit, or as the unit of one of its commissioners."""
        landing = SpecialGroup.landing_units.through.objects.filter(unit_id=unit_id).values("specialgroup_id")
        seated = Commissioner.objects.filter(person__unit_id=unit_id).values("group_id")
        return self.filter(models.Q(pk__in=landing) | models.Q(pk__in=seated))


class SpecialGroup(models.Model):
    """A special investment-promotion group (专项招商组), 附件1."""

    number = models.PositiveSmallIntegerField("序号", unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    leader = models.ForeignKey(Person, models.PROTECT, related_name="led_groups", verbose_name="组长")
    commissioners = models.ManyToManyField(
        Person, through="Commissioner", related_name="commissioner_of", verbose_name="招商专员"
    )
    landing_units = models.ManyToManyField(
        "targets.Unit", related_name="landing_groups", blank=True, verbose_name="项目落地单位"
    )
    landing_units_text = models.CharField("项目落地单位（原文）", max_length=200, blank=True)
    focus = models.TextField("工作重点", blank=True)

    objects = SpecialGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "专项招商组"
        verbose_name_plural = "专项招商组"
        ordering = ["number"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    def working_unit_ids(self) -> set[int]:
        """The units that work in the group: its landing units and its commissioners' units
        (SpecialGroupQuerySet.of_unit asks the same in SQL). Two queries."""
        landing = set(self.landing_units.values_list("pk", flat=True))
        return landing | set(self.seats.exclude(person__unit=None).values_list("person__unit_id", flat=True))

    @property
    def landing_units_label(self) -> str:
        """The landing units as 附件1 writes them, else their names (expects `landing_units` prefetched)."""
        return self.landing_units_text or "、".join(unit.name for unit in self.landing_units.all())


class CommissionerManager(models.Manager):
    def get_by_natural_key(self, group_name, position):
        return self.get(group__name=group_name, position=position)


class Commissioner(models.Model):
    """A commissioner's seat in a group. Position 1 plans and reports for the group."""

    group = models.ForeignKey(SpecialGroup, models.CASCADE, related_name="seats", verbose_name="专项招商组")
    person = models.ForeignKey(Person, models.PROTECT, related_name="seats", verbose_name="招商专员")
    position = models.PositiveSmallIntegerField("排序")

    objects = CommissionerManager()

    class Meta:
        verbose_name = "招商专员"
        verbose_name_plural = "招商专员"
        ordering = ["group__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "position"], name="one_commissioner_per_position"),
            models.UniqueConstraint(fields=["group", "person"], name="commissioner_once_per_group"),
        ]

    def __str__(self):
        return f"{self.group} · {self.person}"

    def natural_key(self):
        return (self.group.name, self.position)

    natural_key.dependencies = ["groups.specialgroup"]
