"""Drives ketnoi's compatible surface with zalo-sdk, a client written by others for the
commercial platform, unchanged except for its base URLs.

zalo-sdk takes the API's base URL as a constructor option; the OAuth host of its token refresh
is written into the package, so the requests it sends there are pointed at ketnoi here (the
same change an integrator makes with a proxy or a hosts entry).

Usage: drive.py BASE APP_ID SECRET_KEY ACCESS_TOKEN REFRESH_TOKEN USER_ID IMAGE_PATH
Prints one JSON object with what each call answered; exits non-zero on any unexpected error.
"""

import json
import sys

import requests
import zalo_sdk
from zalo_sdk.oa import Client, ZaloAttachment, ZaloMessageBody, ZaloRecipient

base, app_id, secret_key, access_token, refresh_token, user_id, image_path = sys.argv[1:8]

_post = requests.post


def _to_ketnoi(url, *args, **kwargs):
    return _post(url.replace("https://oauth.zaloapp.com", base), *args, **kwargs)


requests.post = _to_ketnoi

client = Client(
    app_id=app_id,
    secret_key=secret_key,
    access_token=access_token,
    refresh_token=refresh_token,
    endpoint_prefix=base,
)
out = {}


def with_refresh(call):
    """What an integrator's code does: on an expired token, refresh once and try again."""
    try:
        return call()
    except zalo_sdk.ZaloOAAuthTokenExpiredException:
        out["refreshed"] = True
        client.refresh_acccess_token()
        return call()


out["text"] = with_refresh(
    lambda: client.send_message(ZaloRecipient(user_id=user_id), ZaloMessageBody(text="Hồ sơ của bạn đã được tiếp nhận."))
)
with open(image_path, "rb") as f:
    image = f.read()
uploaded = with_refresh(lambda: client.upload_file(image, file_type="image", file_name="giay-hen.png", mime_type="image/png"))
out["upload"] = uploaded
media = ZaloAttachment(
    "template",
    {"template_type": "media", "elements": [{"media_type": "image", "attachment_id": uploaded["data"]["attachment_id"]}]},
)
out["image"] = with_refresh(lambda: client.send_message(ZaloRecipient(user_id=user_id), ZaloMessageBody(attachment=media)))
out["detail"] = with_refresh(lambda: client.get_user_detail(user_id))
out["list"] = with_refresh(lambda: client.get_list({"offset": 0, "count": 50}))

# A user id the account never gave out: the client raises the platform's error, nothing is sent.
try:
    client.send_message(ZaloRecipient(user_id="1234567890123456789"), ZaloMessageBody(text="x"))
    out["unknown_user"] = "sent"
except zalo_sdk.ZaloOAException as e:
    out["unknown_user"] = str(e)

print(json.dumps(out, ensure_ascii=False))
