"""Stub: replaced by the page's implementation."""
from django.http import HttpResponse



def import_upload(request, **kwargs):
    return HttpResponse("待实现", status=501)


def import_template(request, **kwargs):
    return HttpResponse("待实现", status=501)


def import_preview(request, **kwargs):
    return HttpResponse("待实现", status=501)


def import_confirm(request, **kwargs):
    return HttpResponse("待实现", status=501)
