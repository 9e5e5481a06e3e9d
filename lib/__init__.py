"""Helpers with no domain and no models: display formatting, the xlsx writer, exact-decimal
SQL, the JSON codec of frozen dataclasses. Every app may import lib; lib imports no app."""
