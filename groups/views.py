"""Stub: replaced by the page's implementation."""
from django.http import HttpResponse



def group_list(request, **kwargs):
    return HttpResponse("待实现", status=501)


def group_detail(request, **kwargs):
    return HttpResponse("待实现", status=501)
