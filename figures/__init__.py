"""The figures computed from the facts: the assessment's query layer, the dashboard's and the
unit page's view-models, the special groups' totals. No models; above projects, below reports."""
