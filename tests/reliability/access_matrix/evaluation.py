"""Evaluation's access policy: assessments by who the register and the plan say the assessor is;
evaluations computed and calibrated by the atasan on the plan, read by the employee, the atasan, the
atasan pejabat penilai once a keberatan is filed, and the admin; units' predikat, distribution and
public input by the heads of the unit and of the unit above.

Records: Siti's approved plans (2026, 2028), her 2026 evaluations (`eval_q1`; `eval_appealed`, the
annual one with a keberatan filed, decided by the kepala dinas), a period close requested by Budi,
the puskesmas PKM (headed by Budi, under the kepala dinas's DINKES, under the Sekda's SETDA).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.reliability.access_matrix.cast import BEHAVIOUR_OK
from tests.reliability.access_matrix.grid import ADMIN_LISTS_OWN_INSTANSI, Case, grid

READ_EVALUATION = grid("""
                own  sub  sub2  colleague  other
pegawai         ok   ok   403   403        404
pegawai+atasan  ok   ok   403   403        404
admin_instansi  ok   ok   ok    ok         404
agency          ok   ok   403   403        404
""")
# The unit's head and the head above read the unit's figures; so does the admin.
UNIT_HEADS_READ = grid("""
                own  sub  sub2  colleague  other
pegawai         ok   ok   403   403        404
pegawai+atasan  ok   ok   403   403        404
admin_instansi  ok   ok   ok    ok         404
agency          ok   ok   403   403        404
""")
# Public input (IKM, complaints) is recorded by the unit's own head or the admin.
UNIT_HEAD_RECORDS = grid("""
                own  sub  sub2  colleague  other
pegawai         403  403  403   403        403
pegawai+atasan  ok   403  403   403        404
admin_instansi  ok   ok   ok    ok         404
agency          403  403  403   403        403
""")
NO_ONE_HERE = grid("""
                own  sub  sub2  colleague  other
pegawai         403  403  403   403        403
pegawai+atasan  403  403  403   403        403
admin_instansi  403  403  403   403        403
agency          403  403  403   403        403
""")
IKM_RESPONSE = dict.fromkeys(
    ("u1_persyaratan", "u2_prosedur", "u3_waktu", "u4_biaya", "u5_produk", "u6_kompetensi", "u7_perilaku",
     "u8_pengaduan", "u9_sarana"),
    4,
)  # fmt: skip


def _assessment(source: str) -> dict:
    return {"nip": "{siti}", "period_year": 2028, "source": source, "behaviour": BEHAVIOUR_OK}


def _body(template: dict):
    return lambda f: {k: v.format_map(f) if isinstance(v, str) else v for k, v in template.items()}


CASES = [
    # -- assessments (2028: Siti's plan approved, no assessment yet) -----------------------------
    Case(
        "POST /api/v1/assessments",
        body=_body(_assessment("mandiri")),
        note="another instansi's caller with Siti's NIP records a self-assessment in their own instansi",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         ok   403  403   403        ok
        pegawai+atasan  ok   403  403   403        ok
        admin_instansi  ok   403  403   403        ok
        agency          ok   403  403   403        ok
        """),
    ),
    Case(
        "POST /api/v1/assessments",
        body=_body(_assessment("atasan")),
        note="another instansi has no approved plan of Siti's (409 no_approved_plan, as for any unknown NIP)",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         403  403  403   403        403
        pegawai+atasan  403  ok   403   403        409
        admin_instansi  403  403  403   403        403
        agency          403  403  403   403        403
        """),
    ),
    Case(
        "POST /api/v1/assessments",
        body=_body(_assessment("rekan_kerja")),
        note="a colleague of the same unit or atasan only (unit tests); was: anyone, even the atasan or no one",
        grid=NO_ONE_HERE,
    ),
    Case(
        "POST /api/v1/assessments",
        body=_body(_assessment("bawahan")),
        note="a direct subordinate only (unit tests; Siti has none); was: anyone but Siti herself",
        grid=NO_ONE_HERE,
    ),
    # -- evaluations ------------------------------------------------------------------------------
    Case(
        "GET /api/v1/evaluations",
        url="/api/v1/evaluations?nip={siti}",
        shows="{eval_q1}",
        note="someone else's NIP: narrowed to evaluations where you are the atasan",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         ok   ok   none  none       none
        pegawai+atasan  ok   ok   none  none       none
        admin_instansi  ok   ok   ok    ok         none
        agency          ok   ok   none  none       none
        """),
    ),
    Case(
        "GET /api/v1/evaluations",
        url="/api/v1/evaluations?atasan_nip={caller}",
        shows="{eval_q1}",
        grid=grid("""
                        own   sub  sub2  colleague  other
        pegawai         none  ok   none  none       none
        pegawai+atasan  none  ok   none  none       none
        admin_instansi  none  ok   none  none       none
        agency          none  ok   none  none       none
        """),
    ),
    Case(
        "GET /api/v1/evaluations",
        url="/api/v1/evaluations",
        shows="{eval_q1}",
        grid=grid("""
                        own  sub   sub2  colleague  other
        pegawai         ok   none  none  none       none
        pegawai+atasan  ok   none  none  none       none
        admin_instansi  ok   ok    ok    ok         none
        agency          ok   none  none  none       none
        """),
    ),
    Case(
        "POST /api/v1/evaluations",
        body=_body({"nip": "{siti}", "period_year": 2026, "period": "Q3"}),
        note="another instansi has no approved plan of Siti's (409 no_approved_plan, as for any unknown NIP)",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         403  403  403   403        403
        pegawai+atasan  403  ok   403   403        409
        admin_instansi  403  403  403   403        403
        agency          403  403  403   403        403
        """),
    ),
    Case("GET /api/v1/evaluations/{evaluation_id}", url="/api/v1/evaluations/{eval_q1}", grid=READ_EVALUATION),
    Case(
        "GET /api/v1/evaluations/{evaluation_id}",
        url="/api/v1/evaluations/{eval_appealed}",
        note="with a keberatan filed, its decider (the atasan pejabat penilai) reads the evaluation too",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         ok   ok   ok    403        404
        pegawai+atasan  ok   ok   ok    403        404
        admin_instansi  ok   ok   ok    ok         404
        agency          ok   ok   ok    403        404
        """),
    ),
    Case("GET /api/v1/plans/{skp_id}", url="/api/v1/plans/{skp_approved}", grid=READ_EVALUATION),
    Case(
        "POST /api/v1/evaluations/{evaluation_id}/calibration",
        url="/api/v1/evaluations/{eval_q1}/calibration",
        body={"predikat": "butuh_perbaikan", "reason": "Sebaran unit mengharuskan penyesuaian."},
        note="the appraiser (the plan's atasan), holding the role atasan",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         403  403  403   403        403
        pegawai+atasan  403  ok   403   403        404
        admin_instansi  403  403  403   403        403
        agency          403  403  403   403        403
        """),
    ),
    Case(
        "POST /api/v1/evaluations/{evaluation_id}/appeal",
        url="/api/v1/evaluations/{eval_q1}/appeal",
        body={"reason": "Realisasi triwulan I belum diperhitungkan."},
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         ok   403  403   403        404
        pegawai+atasan  ok   403  403   403        404
        admin_instansi  403  403  403   403        403
        agency          403  403  403   403        403
        """),
    ),
    Case(
        "POST /api/v1/evaluations/{evaluation_id}/appeal/decision",
        url="/api/v1/evaluations/{eval_appealed}/appeal/decision",
        body={"decision": "rejected", "reason": "Realisasi sudah diperhitungkan."},
        note="the atasan pejabat penilai named when the keberatan was filed, holding the role atasan",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         403  403  403   403        403
        pegawai+atasan  403  403  ok    403        404
        admin_instansi  403  403  403   403        403
        agency          403  403  403   403        403
        """),
    ),
    Case(
        "GET /api/v1/appeals",
        shows="{eval_appealed}",
        note="the keberatan waiting for you to decide; the admin's: the instansi's",
        grid=grid("""
                        own   sub   sub2  colleague  other
        pegawai         none  none  ok    none       none
        pegawai+atasan  none  none  ok    none       none
        admin_instansi  ok    ok    ok    ok         none
        agency          none  none  ok    none       none
        """),
    ),
    # -- period close ------------------------------------------------------------------------------
    Case(
        "POST /api/v1/periods/{period_year}/{period}/close",
        subject="self",
        url="/api/v1/periods/2026/Q3/close",
        body={},
        note="an atasan closes for their subordinates, the admin for the instansi: each in their own instansi",
        grid=grid("""
                        own  other
        pegawai         403  403
        pegawai+atasan  ok   ok
        admin_instansi  ok   ok
        agency          403  403
        """),
    ),
    Case(
        "GET /api/v1/period-closes/{close_id}",
        subject="budi",
        url="/api/v1/period-closes/{close_id}",
        note="a close is read by whoever requested it and the admin",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         ok   403  403   403        404
        pegawai+atasan  ok   403  403   403        404
        admin_instansi  ok   ok   ok    ok         404
        agency          ok   403  403   403        404
        """),
    ),
    # -- units: the record is the puskesmas, "own" its head Budi, "sub" the head of the unit above ---
    Case(
        "POST /api/v1/units/{unit_id}/organisation-predikat",
        subject="budi",
        url="/api/v1/units/{unit}/organisation-predikat",
        body={"period_year": 2026, "period": "Q1", "predikat": "baik"},
        note="set by the head of the unit above (role atasan), not by the unit's own head; or the admin",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         403  403  403   403        403
        pegawai+atasan  403  ok   403   403        404
        admin_instansi  ok   ok   ok    ok         404
        agency          403  403  403   403        403
        """),
    ),
    Case(
        "GET /api/v1/units/{unit_id}/distribution",
        subject="budi",
        url="/api/v1/units/{unit}/distribution?period_year=2026",
        grid=UNIT_HEADS_READ,
    ),
    Case(
        "GET /api/v1/units/{unit_id}/public-input",
        subject="budi",
        url="/api/v1/units/{unit}/public-input?period_year=2026",
        grid=UNIT_HEADS_READ,
    ),
    Case(
        "POST /api/v1/units/{unit_id}/ikm",
        subject="budi",
        url="/api/v1/units/{unit}/ikm",
        body={"period_year": 2026, "period": "annual", "responses": [IKM_RESPONSE]},
        grid=UNIT_HEAD_RECORDS,
    ),
    Case(
        "POST /api/v1/units/{unit_id}/complaints",
        subject="budi",
        url="/api/v1/units/{unit}/complaints",
        body={"complaint_id": "LAPOR-2026-0001", "received_at": datetime(2026, 3, 2, 8, tzinfo=UTC).isoformat()},
        grid=UNIT_HEAD_RECORDS,
    ),
    Case(
        "GET /api/v1/rater-bias",
        subject="instansi",
        url="/api/v1/rater-bias?period_year=2026",
        shows="{budi}",  # the appraiser of the instansi's evaluations
        grid=ADMIN_LISTS_OWN_INSTANSI,
    ),
    Case("GET /api/v1/audit", subject="instansi", shows="{eval_q1}", grid=ADMIN_LISTS_OWN_INSTANSI),
]
