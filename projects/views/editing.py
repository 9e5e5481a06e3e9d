"""Stub: replaced by the page's implementation."""
from django.http import HttpResponse



def project_create(request, **kwargs):
    return HttpResponse("待实现", status=501)


def project_detail(request, **kwargs):
    return HttpResponse("待实现", status=501)


def project_edit(request, **kwargs):
    return HttpResponse("待实现", status=501)


def project_submit(request, **kwargs):
    return HttpResponse("待实现", status=501)


def project_withdraw(request, **kwargs):
    return HttpResponse("待实现", status=501)


def project_approve(request, **kwargs):
    return HttpResponse("待实现", status=501)


def project_return(request, **kwargs):
    return HttpResponse("待实现", status=501)


def arrival_add(request, **kwargs):
    return HttpResponse("待实现", status=501)


def arrival_verify(request, **kwargs):
    return HttpResponse("待实现", status=501)


def arrival_evidence(request, **kwargs):
    return HttpResponse("待实现", status=501)
