"""Stub: replaced by the page's implementation."""
from django.http import HttpResponse



def project_list(request, **kwargs):
    return HttpResponse("待实现", status=501)


def project_export(request, **kwargs):
    return HttpResponse("待实现", status=501)


def review_queue(request, **kwargs):
    return HttpResponse("待实现", status=501)
