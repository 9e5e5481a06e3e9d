"""The leads app's forms, one module per part (enterprises.py: the target-enterprise library; leads.py: leads;
activities.py: the activity ledger)."""

from .activities import ActivityFilter, ActivityForm, leads_to_record_for
from .leads import LeadForm, StageForm

__all__ = ["ActivityFilter", "ActivityForm", "LeadForm", "StageForm", "leads_to_record_for"]
