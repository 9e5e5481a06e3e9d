"""Stub: replaced by the page's implementation."""
from django.http import HttpResponse



def target_table(request, **kwargs):
    return HttpResponse("待实现", status=501)


def target_edit(request, **kwargs):
    return HttpResponse("待实现", status=501)


def rules_edit(request, **kwargs):
    return HttpResponse("待实现", status=501)


def latest_targets(request, **kwargs):
    return HttpResponse("待实现", status=501)
