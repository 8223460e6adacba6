"""Notifications' access policy: a notice is its recipient's alone (anyone else's is 404, as if it did
not exist); preferences are each person's; deliveries and campaigns are the admin's; webhook
subscriptions are the subscribing agency's (another agency's is 404). People have inboxes, agency
tokens (systems) do not.

Records: a notice to Siti, her failed e-mail delivery, a draft campaign of 1671's admin, BPKAD's
webhook subscription with a delivery waiting for it.
"""

from __future__ import annotations

from tests.reliability.access_matrix.grid import (
    ADMIN_LISTS_OWN_INSTANSI,
    ADMIN_ONLY,
    ADMIN_ONLY_OWN_INSTANSI,
    Case,
    grid,
)

RECIPIENT_ONLY = grid("""
                own  sub  sub2  colleague  other
pegawai         ok   404  404   404        404
pegawai+atasan  ok   404  404   404        404
admin_instansi  ok   404  404   404        404
agency          403  403  403   403        403
""")
MY_OWN = grid("""
                own  other
pegawai         ok   ok
pegawai+atasan  ok   ok
admin_instansi  ok   ok
agency          403  403
""")
SUBSCRIBER_ONLY = grid("""
                own  colleague  other
pegawai         403  403        403
pegawai+atasan  403  403        403
admin_instansi  403  403        403
agency          ok   404        404
""")

CASES = [
    Case(
        "GET /api/v1/notices",
        shows="{notice}",
        grid=grid("""
                        own  sub   sub2  colleague  other
        pegawai         ok   none  none  none       none
        pegawai+atasan  ok   none  none  none       none
        admin_instansi  ok   none  none  none       none
        agency          403  403   403   403        403
        """),
    ),
    Case("GET /api/v1/notices/unread-count", subject="self", grid=MY_OWN),
    Case("GET /api/v1/notices/{notice_id}", url="/api/v1/notices/{notice}", grid=RECIPIENT_ONLY),
    Case("POST /api/v1/notices/{notice_id}/read", url="/api/v1/notices/{notice}/read", grid=RECIPIENT_ONLY),
    Case("GET /api/v1/preferences", subject="self", grid=MY_OWN),
    Case("PUT /api/v1/preferences", subject="self", body={"language": "en"}, grid=MY_OWN),
    Case("GET /api/v1/deliveries", subject="instansi", shows="{delivery_failed}", grid=ADMIN_LISTS_OWN_INSTANSI),
    Case(
        "GET /api/v1/deliveries/{delivery_id}",
        subject="instansi",
        url="/api/v1/deliveries/{delivery_failed}",
        grid=ADMIN_ONLY_OWN_INSTANSI,
    ),
    Case(
        "POST /api/v1/deliveries/{delivery_id}/resend",
        subject="instansi",
        url="/api/v1/deliveries/{delivery_failed}/resend",
        grid=ADMIN_ONLY_OWN_INSTANSI,
    ),
    Case("GET /api/v1/campaigns", subject="instansi", shows="{campaign}", grid=ADMIN_LISTS_OWN_INSTANSI),
    Case(
        "POST /api/v1/campaigns",
        subject="instansi",
        body={"kind": "explainer", "title_id": "Cara mengisi realisasi", "body_id": "Langkah demi langkah."},
        grid=ADMIN_ONLY,
    ),
    Case(
        "GET /api/v1/campaigns/{campaign_id}",
        subject="instansi",
        url="/api/v1/campaigns/{campaign}",
        grid=ADMIN_ONLY_OWN_INSTANSI,
    ),
    Case(
        "POST /api/v1/campaigns/{campaign_id}/publish",
        subject="instansi",
        url="/api/v1/campaigns/{campaign}/publish",
        grid=ADMIN_ONLY_OWN_INSTANSI,
    ),
    Case(
        "GET /api/v1/campaigns/{campaign_id}/reach",
        subject="instansi",
        url="/api/v1/campaigns/{campaign}/reach",
        grid=ADMIN_ONLY_OWN_INSTANSI,
    ),
    Case(
        "GET /api/v1/webhooks",
        subject="agency",
        shows="{webhook}",
        grid=grid("""
                        own  colleague  other
        pegawai         403  403        403
        pegawai+atasan  403  403        403
        admin_instansi  403  403        403
        agency          ok   none       none
        """),
    ),
    Case(
        "POST /api/v1/webhooks",
        subject="agency",
        body={"url": "https://bpkad.example.go.id/kinerja-2", "event_types": ["reward.granted"]},
        note="every agency subscribes for itself, in its own instansi",
        grid=grid("""
                        own  colleague  other
        pegawai         403  403        403
        pegawai+atasan  403  403        403
        admin_instansi  403  403        403
        agency          ok   ok         ok
        """),
    ),
    Case(
        "GET /api/v1/webhooks/{subscription_id}",
        subject="agency",
        url="/api/v1/webhooks/{webhook}",
        grid=SUBSCRIBER_ONLY,
    ),
    Case(
        "DELETE /api/v1/webhooks/{subscription_id}",
        subject="agency",
        url="/api/v1/webhooks/{webhook}",
        grid=SUBSCRIBER_ONLY,
    ),
    Case(
        "POST /api/v1/webhooks/{subscription_id}/rotate-secret",
        subject="agency",
        url="/api/v1/webhooks/{webhook}/rotate-secret",
        grid=SUBSCRIBER_ONLY,
    ),
    Case(
        "GET /api/v1/webhooks/{subscription_id}/deliveries",
        subject="agency",
        url="/api/v1/webhooks/{webhook}/deliveries",
        shows="{webhook_delivery}",
        grid=SUBSCRIBER_ONLY,
    ),
    Case(
        "POST /api/v1/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver",
        subject="agency",
        url="/api/v1/webhooks/{webhook}/deliveries/{webhook_delivery}/redeliver",
        grid=SUBSCRIBER_ONLY,
    ),
    Case("GET /api/v1/audit", subject="instansi", shows="{campaign}", grid=ADMIN_LISTS_OWN_INSTANSI),
]
