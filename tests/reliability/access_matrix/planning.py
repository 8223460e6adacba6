"""Planning's access policy: SKP (the employee writes, the atasan decides, the admin reads all), the
organisation register (the admin's; a person reads their own record, an atasan their direct
subordinates'), the calendar and unit targets (the admin writes, everyone of the instansi reads).

Records: Siti's plans, one per state (`skp_draft` 2025, `skp_approved` 2026 with realisasi of quarter I
and an evidence file, `skp_submitted` 2027, `skp_amending` 2028 with an amendment pending).
"""

from __future__ import annotations

import io

from services.planning.adapters.org_import import template_csv
from tests.reliability.access_matrix.cast import KADIS, PDF
from tests.reliability.access_matrix.grid import (
    ADMIN_LISTS_OWN_INSTANSI,
    ADMIN_ONLY,
    ADMIN_ONLY_OWN_INSTANSI,
    Case,
    grid,
)
from tests.unit.planning.fixtures import employee, rhk

# Who may read a plan: the employee, their atasan (by the plan, whatever the token's roles), the admin.
READ_PLAN = grid("""
                own  sub  sub2  colleague  other
pegawai         ok   ok   403   403        404
pegawai+atasan  ok   ok   403   403        404
admin_instansi  ok   ok   ok    ok         404
agency          ok   ok   403   403        404
""")
# The employee's own steps (role pegawai): revise, submit, amend, realisasi, evidence.
OWNER_WRITES = grid("""
                own  sub  sub2  colleague  other
pegawai         ok   403  403   403        404
pegawai+atasan  ok   403  403   403        404
admin_instansi  403  403  403   403        403
agency          403  403  403   403        403
""")
# The atasan's steps (role atasan): approve, return, expectations, amendment decisions, feedback.
ATASAN_DECIDES = grid("""
                own  sub  sub2  colleague  other
pegawai         403  403  403   403        403
pegawai+atasan  403  ok   403   403        404
admin_instansi  403  403  403   403        403
agency          403  403  403   403        403
""")
# The register's person records: only the admin changes them (decided before any lookup).
ADMIN_CHANGES_PERSON = grid("""
                own  sub  sub2  colleague  other
pegawai         403  403  403   403        403
pegawai+atasan  403  403  403   403        403
admin_instansi  ok   ok   ok    ok         404
agency          403  403  403   403        403
""")
# A body naming 1671's unit, from another instansi: the unit is unknown there, as any unknown unit is.
ADMIN_ONLY_UNKNOWN_ELSEWHERE = grid("""
                colleague  other
pegawai         403        403
pegawai+atasan  403        403
admin_instansi  ok         409
agency          403        403
""")
EVERYONE_READS_OWN_INSTANSI = grid("""
                colleague  other
pegawai         ok         none
pegawai+atasan  ok         none
admin_instansi  ok         none
agency          ok         none
""")


def _plan(year_rhk: str, description: str = "Pelayanan pasien umum") -> dict:
    return {"rhk": [rhk(description, year_rhk)]}


CASES = [
    # -- SKP lists ---------------------------------------------------------------------------
    Case(
        "GET /api/v1/skp",
        url="/api/v1/skp?nip={siti}",
        shows="{skp_approved}",
        note="a non-admin names only their own NIP here; an atasan lists subordinates by atasan_nip",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         ok   403  403   403        none
        pegawai+atasan  ok   403  403   403        none
        admin_instansi  ok   ok   ok    ok         none
        agency          ok   403  403   403        none
        """),
    ),
    Case(
        "GET /api/v1/skp",
        url="/api/v1/skp?atasan_nip={caller}",
        shows="{skp_approved}",
        grid=grid("""
                        own   sub  sub2  colleague  other
        pegawai         none  ok   none  none       none
        pegawai+atasan  none  ok   none  none       none
        admin_instansi  none  ok   none  none       none
        agency          none  ok   none  none       none
        """),
    ),
    Case(
        "GET /api/v1/skp",
        url="/api/v1/skp",
        shows="{skp_approved}",
        note="without a filter: your own plans; the admin's: the instansi's",
        grid=grid("""
                        own  sub   sub2  colleague  other
        pegawai         ok   none  none  none       none
        pegawai+atasan  ok   none  none  none       none
        admin_instansi  ok   ok    ok    ok         none
        agency          ok   none  none  none       none
        """),
    ),
    Case(
        "POST /api/v1/skp",
        subject="self",
        body={"period_year": 2029, "rhk": [rhk("Rencana tahun depan")]},
        note="another instansi's caller is not in that instansi's register (409 employee_not_registered)",
        grid=grid("""
                        own  other
        pegawai         ok   409
        pegawai+atasan  ok   409
        admin_instansi  403  403
        agency          403  403
        """),
    ),
    Case(
        "GET /api/v1/skp/team",
        url="/api/v1/skp/team?period_year=2026",
        shows="{siti}",
        grid=grid("""
                        own   sub  sub2  colleague  other
        pegawai         403   403  403   403        403
        pegawai+atasan  none  ok   none  none       none
        admin_instansi  none  ok   none  none       none
        agency          403   403  403   403        403
        """),
    ),
    Case(
        "GET /api/v1/skp/templates",
        subject="self",
        grid=grid("""
                        own  other
        pegawai         ok   ok
        pegawai+atasan  ok   ok
        admin_instansi  ok   ok
        agency          ok   ok
        """),
    ),
    # -- one SKP -----------------------------------------------------------------------------
    Case("GET /api/v1/skp/{skp_id}", url="/api/v1/skp/{skp_approved}", grid=READ_PLAN),
    Case("GET /api/v1/skp/{skp_id}/history", url="/api/v1/skp/{skp_approved}/history", grid=READ_PLAN),
    Case("GET /api/v1/skp/{skp_id}/cascade", url="/api/v1/skp/{skp_approved}/cascade", grid=READ_PLAN),
    Case(
        "GET /api/v1/skp/{skp_id}/evidence/{file_id}",
        url="/api/v1/skp/{skp_approved}/evidence/{evidence_file}",
        grid=READ_PLAN,
    ),
    Case(
        "POST /api/v1/skp/{skp_id}/revise",
        url="/api/v1/skp/{skp_draft}/revise",
        body=lambda f: _plan(f["budi_rhk_2025"], "Pelayanan pasien umum dan lansia"),
        grid=OWNER_WRITES,
    ),
    Case("POST /api/v1/skp/{skp_id}/submit", url="/api/v1/skp/{skp_draft}/submit", grid=OWNER_WRITES),
    Case(
        "POST /api/v1/skp/{skp_id}/amendments",
        url="/api/v1/skp/{skp_approved}/amendments",
        body=lambda f: {"reason": "Target disesuaikan.", **_plan(f["budi_rhk_2026"], "Pelayanan pasien lansia")},
        grid=OWNER_WRITES,
    ),
    Case(
        "POST /api/v1/skp/{skp_id}/realisasi",
        url="/api/v1/skp/{skp_approved}/realisasi",
        body=lambda f: {"quarter": 2, "iki_id": f["iki_approved"], "value": 320},
        grid=OWNER_WRITES,
    ),
    Case(
        "POST /api/v1/skp/{skp_id}/evidence",
        url="/api/v1/skp/{skp_approved}/evidence",
        files=lambda: {"file": (io.BytesIO(PDF), "bukti-q2.pdf")},
        grid=OWNER_WRITES,
    ),
    Case("POST /api/v1/skp/{skp_id}/approve", url="/api/v1/skp/{skp_submitted}/approve", grid=ATASAN_DECIDES),
    Case(
        "POST /api/v1/skp/{skp_id}/return",
        url="/api/v1/skp/{skp_submitted}/return",
        body={"reason": "Target belum terukur."},
        grid=ATASAN_DECIDES,
    ),
    Case(
        "PUT /api/v1/skp/{skp_id}/expectations",
        url="/api/v1/skp/{skp_submitted}/expectations",
        body={"expectations": {"berorientasi_pelayanan": "Mendahulukan pasien lansia"}},
        grid=ATASAN_DECIDES,
    ),
    Case(
        "POST /api/v1/skp/{skp_id}/amendments/approve",
        url="/api/v1/skp/{skp_amending}/amendments/approve",
        grid=ATASAN_DECIDES,
    ),
    Case(
        "POST /api/v1/skp/{skp_id}/amendments/reject",
        url="/api/v1/skp/{skp_amending}/amendments/reject",
        body={"reason": "Perubahan belum perlu."},
        grid=ATASAN_DECIDES,
    ),
    Case(
        "POST /api/v1/skp/{skp_id}/realisasi/feedback",
        url="/api/v1/skp/{skp_approved}/realisasi/feedback",
        body=lambda f: {"quarter": 1, "iki_id": f["iki_approved"], "feedback": "Pertahankan."},
        grid=ATASAN_DECIDES,
    ),
    # -- the organisation register -------------------------------------------------------------
    Case("GET /api/v1/organisation/units", subject="instansi", shows="{unit}", grid=ADMIN_LISTS_OWN_INSTANSI),
    Case("GET /api/v1/organisation/units/tree", subject="instansi", shows="{unit}", grid=ADMIN_LISTS_OWN_INSTANSI),
    Case(
        "POST /api/v1/organisation/units",
        subject="instansi",
        body={"unit_id": "LABKES", "name": "Laboratorium Kesehatan", "parent_unit_id": "DINKES"},
        note="another instansi's admin cannot hang a unit under 1671's DINKES: unknown there (409, as any unknown)",
        grid=ADMIN_ONLY_UNKNOWN_ELSEWHERE,
    ),
    Case(
        "GET /api/v1/organisation/units/{unit_id}",
        subject="instansi",
        url="/api/v1/organisation/units/{unit}",
        grid=ADMIN_ONLY_OWN_INSTANSI,
    ),
    Case(
        "PATCH /api/v1/organisation/units/{unit_id}",
        subject="instansi",
        url="/api/v1/organisation/units/{unit}",
        body={"name": "UPT Puskesmas Sukarami"},
        grid=ADMIN_ONLY_OWN_INSTANSI,
    ),
    Case(
        "GET /api/v1/organisation/employees",
        url="/api/v1/organisation/employees?atasan_nip={caller}",
        shows="{siti}",
        note="an atasan lists their direct subordinates; the role atasan is needed, not only the register",
        grid=grid("""
                        own   sub  sub2  colleague  other
        pegawai         403   403  403   403        403
        pegawai+atasan  none  ok   none  none       none
        admin_instansi  none  ok   none  none       none
        agency          403   403  403   403        403
        """),
    ),
    Case(
        "GET /api/v1/organisation/employees",
        url="/api/v1/organisation/employees",
        shows="{siti}",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         403  403  403   403        403
        pegawai+atasan  403  403  403   403        403
        admin_instansi  ok   ok   ok    ok         none
        agency          403  403  403   403        403
        """),
    ),
    Case(
        "POST /api/v1/organisation/employees",
        subject="instansi",
        body={**employee("199104152019031005", "Andi Pratama", "PKM", "pelaksana", "197001012000031001")},
        note="the unit PKM is 1671's: another instansi's admin gets unit_not_registered (409, as any unknown)",
        grid=ADMIN_ONLY_UNKNOWN_ELSEWHERE,
    ),
    Case(
        "GET /api/v1/organisation/employees/without-valid-atasan",
        subject="instansi",
        grid=ADMIN_ONLY,
    ),
    Case(
        "GET /api/v1/organisation/employees/{nip}",
        url="/api/v1/organisation/employees/{siti}",
        note="reading a subordinate's record needs the role atasan (the SKP routes go by the register alone)",
        grid=grid("""
                        own  sub  sub2  colleague  other
        pegawai         ok   403  403   403        404
        pegawai+atasan  ok   ok   403   403        404
        admin_instansi  ok   ok   ok    ok         404
        agency          ok   403  403   403        404
        """),
    ),
    Case(
        "PATCH /api/v1/organisation/employees/{nip}",
        url="/api/v1/organisation/employees/{siti}",
        body={"name": "Siti Aminah, A.Md.Kep."},
        grid=ADMIN_CHANGES_PERSON,
    ),
    Case(
        "POST /api/v1/organisation/employees/{nip}/move",
        url="/api/v1/organisation/employees/{siti}/move",
        body={"unit_id": "PKM", "position_name": "Perawat Terampil", "position_kind": "fungsional"},
        grid=ADMIN_CHANGES_PERSON,
    ),
    Case(
        "POST /api/v1/organisation/employees/{nip}/atasan",
        url="/api/v1/organisation/employees/{siti}/atasan",
        body={"atasan_nip": KADIS},
        grid=ADMIN_CHANGES_PERSON,
    ),
    Case(
        "POST /api/v1/organisation/employees/{nip}/deactivate",
        url="/api/v1/organisation/employees/{siti}/deactivate",
        grid=ADMIN_CHANGES_PERSON,
    ),
    Case(
        "POST /api/v1/organisation/import",
        subject="instansi",
        url="/api/v1/organisation/import?dry_run=true",
        files=lambda: {"file": (io.BytesIO(template_csv()), "organisasi.csv")},
        note="a dry run of the template: each admin checks it against their own instansi",
        grid=ADMIN_ONLY,
    ),
    Case(
        "GET /api/v1/organisation/import/template",
        subject="instansi",
        url="/api/v1/organisation/import/template?format=csv",
        grid=ADMIN_ONLY,
    ),
    # -- calendar and unit targets ---------------------------------------------------------------
    Case(
        "GET /api/v1/periods/{period_year}/quarters",
        subject="instansi",
        url="/api/v1/periods/2026/quarters",
        shows="{admin}",  # quarter IV of 2026 was closed by 1671's admin
        grid=EVERYONE_READS_OWN_INSTANSI,
    ),
    Case(
        "POST /api/v1/periods/{period_year}/quarters/{quarter}/close",
        subject="instansi",
        url="/api/v1/periods/2026/quarters/3/close",
        body={},
        note="another instansi's admin closes their own instansi's quarter",
        grid=ADMIN_ONLY,
    ),
    Case(
        "POST /api/v1/periods/{period_year}/quarters/{quarter}/reopen",
        subject="instansi",
        url="/api/v1/periods/2026/quarters/4/reopen",
        body={"reason": "Perpanjangan pengisian realisasi."},
        note="quarter IV is closed in 1671 only: another instansi's admin finds it open (409 quarter_not_closed)",
        grid=grid("""
                        colleague  other
        pegawai         403        403
        pegawai+atasan  403        403
        admin_instansi  ok         409
        agency          403        403
        """),
    ),
    Case("GET /api/v1/unit-targets", subject="instansi", shows="waktu-tunggu", grid=EVERYONE_READS_OWN_INSTANSI),
    Case(
        "PUT /api/v1/unit-targets",
        subject="instansi",
        body=lambda f: {
            "unit_id": f["unit"],
            "period_year": 2026,
            "code": "kepuasan",
            "indicator": "Indeks kepuasan",
            "target": 85,
            "unit": "indeks",
        },
        note="another instansi's admin: the unit is not registered there (409 unknown_unit, as for any unknown unit)",
        grid=ADMIN_ONLY_UNKNOWN_ELSEWHERE,
    ),
    Case("GET /api/v1/audit", subject="instansi", shows="{skp_approved}", grid=ADMIN_LISTS_OWN_INSTANSI),
]
