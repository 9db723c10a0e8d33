"""Adapters that carry a notification out of the inbox. Each takes the channel's configuration
and one notification and either returns or raises DeliveryError; the delivery job retries.
Plain HTTP with the standard library: every provider here speaks JSON over HTTPS."""

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.core.cache import cache

from gridgov.notifications.models import Channel, Notification

TIMEOUT_S = 5


class DeliveryError(Exception):
    pass


class NoAddress(Exception):
    """The person has no phone / openid for this channel: nothing to retry."""


def _post_json(url: str, body: dict, headers: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (configured URL)
            return response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} from {url}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DeliveryError(f"{url}: {getattr(error, 'reason', error)}") from error


def _payload(notification: Notification) -> dict[str, Any]:
    event = notification.event
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": notification.text,
        "user": notification.user.username,
        "event": event.number if event else None,
        "at": notification.created_at.isoformat(),
    }


def send_webhook(channel: Channel, notification: Notification) -> None:
    body = _payload(notification)
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = dict(channel.options.get("headers") or {})
    if channel.secret:
        digest = hmac.new(channel.secret.encode(), raw, hashlib.sha256).hexdigest()
        headers["X-Gridgov-Signature"] = f"sha256={digest}"
    _post_json(channel.url, body, headers)


def send_sms(channel: Channel, notification: Notification) -> None:
    """A JSON SMS gateway (the deployment's own, or a relay to its provider)."""
    phone = notification.user.phone
    if not phone:
        raise NoAddress("no phone")
    body = {
        "phone": phone,
        "text": notification.text,
        "sign": channel.options.get("sign", ""),
        "template": channel.options.get("template", ""),
        "params": {"text": notification.text[:70]},
    }
    headers = {"Authorization": f"Bearer {channel.secret}"} if channel.secret else {}
    status, content = _post_json(channel.url, body, headers)
    try:
        answer = json.loads(content or b"{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("ok") is False:
        raise DeliveryError(str(answer.get("error") or answer)[:300])


def _wechat_token(channel: Channel) -> str:
    if channel.options.get("access_token"):
        return channel.options["access_token"]
    key = f"wechat-token:{channel.pk}"
    token = cache.get(key)
    if token:
        return token
    url = channel.options.get("token_url") or "https://api.weixin.qq.com/cgi-bin/token"
    query = urllib.parse.urlencode(
        {
            "grant_type": "client_credential",
            "appid": channel.options.get("appid", ""),
            "secret": channel.secret,
        }
    )
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=TIMEOUT_S) as response:  # noqa: S310
            answer = json.loads(response.read(65536) or b"{}")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise DeliveryError(f"WeChat token: {error}") from error
    if not answer.get("access_token"):
        raise DeliveryError(f"WeChat token: {answer.get('errmsg') or answer}")
    cache.set(key, answer["access_token"], timeout=int(answer.get("expires_in", 7200)) - 300)
    return answer["access_token"]


def send_wechat(channel: Channel, notification: Notification) -> None:
    openid = notification.user.wechat_openid
    if not openid:
        raise NoAddress("no openid")
    token = _wechat_token(channel)
    url = (
        channel.url
        + ("&" if "?" in channel.url else "?")
        + urllib.parse.urlencode({"access_token": token})
    )
    body = {
        "touser": openid,
        "template_id": channel.options.get("template_id", ""),
        "data": {
            "thing1": {"value": notification.text[:20]},
            "character_string2": {"value": notification.event.number if notification.event else ""},
            "time3": {"value": notification.created_at.strftime("%Y-%m-%d %H:%M")},
        },
    }
    _status, content = _post_json(url, body)
    try:
        answer = json.loads(content or b"{}")
    except ValueError as error:
        raise DeliveryError("WeChat answered with something that is not JSON") from error
    if answer.get("errcode", 0) != 0:
        if answer.get("errcode") in (40001, 42001):  # token expired or invalid: fetch anew
            cache.delete(f"wechat-token:{channel.pk}")
        raise DeliveryError(f"WeChat errcode {answer.get('errcode')}: {answer.get('errmsg')}")


ADAPTERS = {
    Channel.Kind.SMS: send_sms,
    Channel.Kind.WECHAT: send_wechat,
    Channel.Kind.WEBHOOK: send_webhook,
}
