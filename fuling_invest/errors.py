"""The error pages (400, 403, 404, 500, a refused CSRF check): Chinese, in the site's layout.

Django calls these only with DEBUG off (with DEBUG on it shows its debug pages). A page shows
the view's own message when the view gave one in Chinese, e.g. Http404("没有这个单位，或您无权
查看。"); Django's own messages are English ("No Project matches the given query.", a URL that
matches nothing) and say nothing to a user, so the status's plain message stands instead.

An error page never causes a second error: when the layout cannot be rendered (the database
is down, a context processor fails) the same template is rendered without the request's
context (no navigation, nothing read from the database), and a fixed text if even that fails.
"""

from __future__ import annotations

import logging
import re

from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.utils.html import format_html

log = logging.getLogger(__name__)

HAN = re.compile(r"[\u4e00-\u9fff]")

# status → (heading, what a user is told when the view said nothing they can read)
PLAIN = {
    400: ("请求有误", "请求无法处理：地址或提交的内容有误。请返回上一页检查后重试。"),
    403: ("无权操作", "您没有权限查看此页面或执行此操作。如需权限，请联系系统管理员。"),
    404: ("页面不存在", "没有这个页面，或您无权查看。请检查地址，或从首页重新进入。"),
    500: ("系统出错", "系统处理时出错，操作可能没有完成；错误已记录。请稍后再试，如反复出现请联系系统管理员。"),
}
CSRF_HEADING = "页面已过期，操作没有执行"
CSRF_MESSAGE = (
    "表单的安全校验（CSRF）未通过，通常是页面打开太久或已在别处退出登录。"
    "请返回上一页，刷新后重新提交；如反复出现，请确认浏览器允许本站使用 Cookie。"
)
LAST_RESORT = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{heading}</title>'
    '<h1>{heading}</h1><p>{message}</p><p><a href="/">返回首页</a></p></html>'
)


def get_or_404(queryset, message: str, **lookup):
    """queryset.get(**lookup), or Http404 with `message` for the 404 page (Django's own is English)."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(message) from None


def own_message(exception: BaseException | None) -> str | None:
    """The message the view raised, if it wrote one for users (in Chinese)."""
    args = getattr(exception, "args", ())
    message = args[0] if args else None
    if isinstance(message, str) and HAN.search(message):
        return message
    return None


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _error_page(request, 400, exception)


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _error_page(request, 403, exception)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _error_page(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # An exception's text may hold internals (SQL, paths): a 500 never shows it.
    return _error_page(request, 500, None)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form was refused; Django's reason is English and technical, so it is only logged."""
    log.warning("CSRF check failed for %s: %s", request.path, reason)
    return _render(request, "403_csrf.html", {"status": 403, "heading": CSRF_HEADING, "message": CSRF_MESSAGE}, 403)


def _error_page(request: HttpRequest, status: int, exception: BaseException | None) -> HttpResponse:
    heading, plain = PLAIN[status]
    context = {"status": status, "heading": heading, "message": own_message(exception) or plain}
    return _render(request, f"{status}.html", context, status)


def _render(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    content = None
    # No user yet when the request was refused before it was read (an unknown Host header).
    if hasattr(request, "user"):
        try:
            content = loader.render_to_string(template, context, request=request)
        except Exception:
            log.exception("the %s page could not be rendered in the layout; rendering it without the request", status)
    if content is None:
        try:
            content = loader.render_to_string(template, context)
        except Exception:
            log.exception("the %s page could not be rendered at all; answering with a fixed text", status)
            content = format_html(LAST_RESORT, heading=context["heading"], message=context["message"])
    return HttpResponse(content, status=status)
