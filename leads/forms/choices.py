"""A target enterprise or a lead chosen by typing it, not from a list: the library may hold
100,000 enterprises and a reviewer may record for 200,000 leads, more than a page can carry.

Each field is a ModelChoiceField on a text input: it shows the chosen object's name (or code),
takes what the user typed, and finds it in its queryset (so a lead the user may not record for
is unknown, as a forged choice would be). One query to clean, one to show an id given as the
initial value."""

from __future__ import annotations

from django import forms
from django.db.models import Model, Q

from lib import credit_code

from ..models import Lead, TargetEnterprise


class TypedChoiceField(forms.ModelChoiceField):
    """The object whose `display` the user typed, among `queryset`."""

    widget = forms.TextInput

    def display(self, obj: Model) -> str:
        raise NotImplementedError

    def find(self, text: str) -> Model | None:
        raise NotImplementedError

    def prepare_value(self, value):
        if isinstance(value, Model):
            return self.display(value)
        if isinstance(value, int):  # an id, as a model form's initial values give it
            found = self.queryset.filter(pk=value).first()
            return self.display(found) if found else ""
        return value if value is not None else ""

    def to_python(self, value):
        text = " ".join(str(value or "").split())
        if not text:
            return None
        found = self.find(text)
        if found is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def has_changed(self, initial, data) -> bool:
        return str(self.prepare_value(initial) or "") != " ".join(str(data or "").split())


class EnterpriseField(TypedChoiceField):
    """A target enterprise by its full name or its 统一社会信用代码."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", TargetEnterprise.objects.all())
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "企业全称或统一社会信用代码")

    def display(self, enterprise: TargetEnterprise) -> str:
        return enterprise.name

    def find(self, text: str) -> TargetEnterprise | None:
        return self.queryset.filter(Q(name=text) | Q(credit_code=credit_code.normalised(text))).order_by("pk").first()


class LeadCodeField(TypedChoiceField):
    """A lead by its code (线索编号), as the lead list and the import name it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Lead.objects.all())
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "线索编号，如 XS2021-00001")

    def display(self, lead: Lead) -> str:
        return lead.code

    def find(self, text: str) -> Lead | None:
        return self.queryset.filter(Q(code=text) | Q(code=text.upper())).order_by("pk").first()
