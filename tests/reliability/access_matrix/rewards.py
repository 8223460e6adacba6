"""Rewards' access policy: decisions and pembinaan read by the employee, their atasan (role atasan,
by the register) or coach, the admin and agencies; pembinaan steps by the coach, the competency test
by the admin; policies, budgets, re-runs and the incentive register by the admin (reads: agencies too).

Records: Siti's reward decision (2023), her pembinaan in progress (2025, coached by Budi) and one
waiting for the competency test (2024), a policy version published by 1671's admin.
"""

from __future__ import annotations

from tests.reliability.access_matrix.cast import policy_body
from tests.reliability.access_matrix.grid import ADMIN_ONLY, Case, grid

# Own; an atasan's (role atasan) direct subordinates'; the admin's and agencies' whole instansi.
READ_DECISION = grid("""
                own  sub  sub2  colleague  other
pegawai         ok   403  403   403        404
pegawai+atasan  ok   ok   403   403        404
admin_instansi  ok   ok   ok    ok         404
agency          ok   ok   ok    ok         404
""")
LIST_DECISIONS = grid("""
                own  sub   sub2  colleague  other
pegawai         ok   none  none  none       none
pegawai+atasan  ok   ok    none  none       none
admin_instansi  ok   ok    ok    ok         none
agency          ok   ok    ok    ok         none
""")
LIST_DECISIONS_OF = grid("""
                own  sub  sub2  colleague  other
pegawai         ok   403  403   403        none
pegawai+atasan  ok   ok   403   403        none
admin_instansi  ok   ok   ok    ok         none
agency          ok   ok   ok    ok         none
""")
# A pembinaan step: the coach (Budi, Siti's atasan), holding the role atasan.
COACH_STEP = grid("""
                own  sub  sub2  colleague  other
pegawai         403  403  403   403        403
pegawai+atasan  403  ok   403   403        404
admin_instansi  403  403  403   403        403
agency          403  403  403   403        403
""")
ADMIN_AND_AGENCY_READ = grid("""
                colleague  other
pegawai         403        403
pegawai+atasan  403        403
admin_instansi  ok         none
agency          ok         none
""")

CASES = [
    Case("GET /api/v1/decisions", url="/api/v1/decisions", shows="{reward}", grid=LIST_DECISIONS),
    Case("GET /api/v1/decisions", url="/api/v1/decisions?nip={siti}", shows="{reward}", grid=LIST_DECISIONS_OF),
    Case("GET /api/v1/decisions/{decision_id}", url="/api/v1/decisions/{reward}", grid=READ_DECISION),
    Case("GET /api/v1/decisions/{decision_id}/history", url="/api/v1/decisions/{reward}/history", grid=READ_DECISION),
    Case("GET /api/v1/coaching", url="/api/v1/coaching", shows="{coaching_active}", grid=LIST_DECISIONS),
    Case("GET /api/v1/coaching", url="/api/v1/coaching?nip={siti}", shows="{coaching_active}", grid=LIST_DECISIONS_OF),
    Case(
        "GET /api/v1/coaching/{coaching_id}",
        url="/api/v1/coaching/{coaching_active}",
        note="the coach reads the plan they coach whatever the token's roles",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         ok   ok   403   403        404
        pegawai+atasan  ok   ok   403   403        404
        admin_instansi  ok   ok   ok    ok         404
        agency          ok   ok   ok    ok         404
        """),
    ),
    Case(
        "POST /api/v1/coaching/{coaching_id}/check-ins",
        url="/api/v1/coaching/{coaching_active}/check-ins",
        body={"progress": "on_track", "notes": "Target triwulan tercapai."},
        grid=COACH_STEP,
    ),
    Case(
        "POST /api/v1/coaching/{coaching_id}/close",
        url="/api/v1/coaching/{coaching_active}/close",
        body={"outcome": "improved", "summary": "Capaian membaik."},
        grid=COACH_STEP,
    ),
    Case(
        "POST /api/v1/coaching/{coaching_id}/competency-test",
        url="/api/v1/coaching/{coaching_tested}/competency-test",
        body={"result": "competent"},
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         403  403  403   403        403
        pegawai+atasan  403  403  403   403        403
        admin_instansi  ok   ok   ok    ok         404
        agency          403  403  403   403        403
        """),
    ),
    Case("GET /api/v1/policies", subject="instansi", shows="{policy}", grid=ADMIN_AND_AGENCY_READ),
    Case(
        "POST /api/v1/policies",
        subject="instansi",
        body=policy_body("palembang-2027.2"),
        note="each instansi publishes its own versions",
        grid=ADMIN_ONLY,
    ),
    Case(
        "GET /api/v1/policies/current",
        subject="instansi",
        grid=grid("""
                        colleague  other
        pegawai         403        403
        pegawai+atasan  403        403
        admin_instansi  ok         ok
        agency          ok         ok
        """),
    ),
    Case(
        "POST /api/v1/periods/{period_year}/rerun",
        subject="instansi",
        url="/api/v1/periods/2023/rerun",
        grid=ADMIN_ONLY,
    ),
    Case(
        "PUT /api/v1/budgets/{period_year}/{unit_id}",
        subject="instansi",
        url="/api/v1/budgets/2023/{unit}",
        body={"amount": 1_500_000_000},
        grid=ADMIN_ONLY,
    ),
    Case(
        "GET /api/v1/incentive-register",
        subject="instansi",
        url="/api/v1/incentive-register?period_year=2023",
        shows="{reward}",
        grid=ADMIN_AND_AGENCY_READ,
    ),
    Case(
        "GET /api/v1/incentive-register.csv",
        subject="instansi",
        url="/api/v1/incentive-register.csv?period_year=2023",
        shows="{reward}",
        grid=ADMIN_AND_AGENCY_READ,
    ),
    Case(
        "GET /api/v1/audit",
        subject="instansi",
        shows="{reward}",
        grid=grid("""
                        colleague  other
        pegawai         403        403
        pegawai+atasan  403        403
        admin_instansi  ok         none
        agency          403        403
        """),
    ),
]
