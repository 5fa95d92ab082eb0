"""Verifies a webhook delivery ketnoi made with the Standard Webhooks reference library.

Usage: verify.py DELIVERY.json, where the file holds {"secret": "whsec_...", "headers": {...},
"body": "..."} as a receiver got them. Prints one JSON object: whether the genuine delivery
verifies, and whether a tampered body, a stale timestamp and a wrong secret are rejected.
"""

import base64
import json
import sys
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def verdict(secret, body, headers):
    try:
        Webhook(secret).verify(body, headers)
        return "verified"
    except WebhookVerificationError:
        return "rejected"


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        delivery = json.load(f)
    secret, headers = delivery["secret"], delivery["headers"]
    body = delivery["body"].encode("utf-8")
    # Ten minutes old, and signed rightly for that time: only the age is wrong.
    then = int(headers["webhook-timestamp"]) - 600
    stale = dict(headers)
    stale["webhook-timestamp"] = str(then)
    stale["webhook-signature"] = Webhook(secret).sign(
        headers["webhook-id"], datetime.fromtimestamp(then, tz=timezone.utc), body
    )
    wrong = "whsec_" + base64.b64encode(b"not the integration's key").decode()
    print(json.dumps({
        "genuine": verdict(secret, body, headers),
        "tampered_body": verdict(secret, body.replace(b"}", b", \"x\": 1}", 1), headers),
        "stale_timestamp": verdict(secret, body, stale),
        "wrong_secret": verdict(wrong, body, headers),
    }))


if __name__ == "__main__":
    main()
