"""Stub: replaced by the page's implementation."""
from django.http import HttpResponse



def dashboard(request, **kwargs):
    return HttpResponse("待实现", status=501)


def unit_detail(request, **kwargs):
    return HttpResponse("待实现", status=501)
