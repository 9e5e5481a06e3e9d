"""The leads app's forms, one module per part (enterprises.py: the target-enterprise library; leads.py: leads)."""

from .leads import LeadForm, StageForm

__all__ = ["LeadForm", "StageForm"]
