"""The SKP's content rules, amendments, realisasi and feedback — the aggregate alone, no I/O."""

from __future__ import annotations

import pytest

from services.planning.domain.plan_content import CascadeContext
from services.planning.domain.skp import Evidence, Person, PlanContent, Skp, SkpStatus
from shared.contracts.vocabulary import SkpTemplate
from shared.errors import DomainError, Forbidden

EMPLOYEE, ATASAN = "198503302010011002", "197001012000031001"
ATASAN_RHK = {"skp-197001012000031001-2026.rhk1": "Meningkatnya layanan kesehatan dasar"}
CASCADED = CascadeContext(atasan_rhk=ATASAN_RHK)


def iki(indicator: str = "Pasien dilayani", **extra) -> dict:
    return {"indicator": indicator, "aspect": "kuantitas", "target": 100.0, "unit": "pasien", **extra}


def rhk(description: str = "Pelayanan pasien", kind: str = "utama", **extra) -> dict:
    item = {"description": description, "kind": kind, "iki": [iki()]}
    item.setdefault("intervenes_rhk_id", "skp-197001012000031001-2026.rhk1" if kind == "utama" else None)
    return {**item, **extra}


def draft(content: PlanContent | None = None, context: CascadeContext = CASCADED, **kwargs) -> Skp:
    return Skp.draft(
        tenant="1671",
        owner=Person(EMPLOYEE, "Siti"),
        atasan=Person(ATASAN, "Budi"),
        unit="Puskesmas Sukarami",
        period_year=2026,
        content=content or PlanContent([rhk()]),
        context=context,
        **kwargs,
    )


def approved(content: PlanContent | None = None) -> Skp:
    skp = draft(content)
    skp.submit(EMPLOYEE, CASCADED)
    skp.approve(ATASAN)
    return skp


def test_a_plan_needs_an_rhk_utama() -> None:
    with pytest.raises(DomainError) as info:
        draft(PlanContent([rhk(kind="tambahan")]))
    assert (info.value.code, info.value.field) == ("no_rhk_utama", "rhk")


def test_jpt_plans_are_set_out_by_perspective_and_ja_jf_plans_have_none() -> None:
    with pytest.raises(DomainError) as info:
        draft(PlanContent([rhk()]), template=SkpTemplate.JPT)
    assert (info.value.code, info.value.field) == ("perspective_required", "rhk.0.perspective")
    skp = draft(PlanContent([rhk(perspective="penerima_layanan")]), template=SkpTemplate.JPT)
    assert skp.plan_payload()["template"] == "jpt"
    with pytest.raises(DomainError) as info:
        draft(PlanContent([rhk(perspective="anggaran")]))
    assert info.value.code == "perspective_not_applicable"


def test_an_rhk_can_only_intervene_an_rhk_of_the_atasans_plan() -> None:
    with pytest.raises(DomainError) as info:
        draft(PlanContent([rhk(intervenes_rhk_id="skp-x-2026.rhk9")]))
    assert (info.value.code, info.value.field) == ("unknown_atasan_rhk", "rhk.0.intervenes_rhk_id")
    with pytest.raises(DomainError) as info:
        draft(context=CascadeContext(atasan_rhk=None))
    assert info.value.code == "atasan_skp_missing"


def test_submitting_needs_every_rhk_utama_cascaded_and_the_atasans_rhk_still_there() -> None:
    skp = draft(PlanContent([rhk(intervenes_rhk_id=None), rhk("Laporan", kind="tambahan")]))
    with pytest.raises(DomainError) as info:
        skp.submit(EMPLOYEE, CASCADED)
    assert (info.value.code, info.value.field) == ("rhk_not_cascaded", "rhk.0.intervenes_rhk_id")
    skp.submit(EMPLOYEE, CascadeContext(atasan_rhk=None))  # top of the tree: nothing to cascade from
    assert skp.status == SkpStatus.SUBMITTED
    cascaded = draft()
    with pytest.raises(DomainError, match="not in the atasan"):
        cascaded.submit(EMPLOYEE, CascadeContext(atasan_rhk={"skp-197001012000031001-2026.rhk2": "other"}))


def test_ids_stay_stable_across_revisions_and_unknown_ids_are_refused() -> None:
    skp = draft(PlanContent([rhk(), rhk("Kedua")]))
    first, second = skp.rhk
    kept = {**rhk("Pertama diperbaiki"), "rhk_id": first["rhk_id"]}
    kept["iki"] = [{**iki("Pasien"), "iki_id": first["iki"][0]["iki_id"]}, iki("Baru")]
    skp.revise(EMPLOYEE, PlanContent([kept, rhk("Ketiga")]), CASCADED)
    assert [r["rhk_id"] for r in skp.rhk] == [first["rhk_id"], f"{skp.id}.rhk3"]  # rhk2 was dropped, not reused
    assert [i["iki_id"] for i in skp.rhk[0]["iki"]] == [first["iki"][0]["iki_id"], f"{first['rhk_id']}.iki2"]
    assert second["rhk_id"] not in [r["rhk_id"] for r in skp.rhk]
    with pytest.raises(DomainError) as info:
        skp.revise(EMPLOYEE, PlanContent([{**rhk(), "rhk_id": "skp-other-2026.rhk1"}]), CASCADED)
    assert (info.value.code, info.value.field) == ("unknown_rhk", "rhk.0.rhk_id")


def test_unit_targets_only_in_a_unit_heads_plan_and_their_figures_win() -> None:
    target = {"target_id": "PKM/2026/waktu-tunggu", "indicator": "Waktu tunggu", "target": 30.0, "unit": "menit"}
    target["direction"] = "lower_is_better"
    linked = rhk(iki=[iki("apa saja", unit_target_id=target["target_id"])])
    context = CascadeContext(atasan_rhk=ATASAN_RHK, unit_targets={target["target_id"]: target}, is_unit_head=True)
    with pytest.raises(DomainError) as info:
        draft(PlanContent([linked]), CascadeContext(atasan_rhk=ATASAN_RHK, unit_targets=context.unit_targets))
    assert (info.value.code, info.value.field) == ("not_unit_head", "rhk.0.iki.0.unit_target_id")
    skp = draft(PlanContent([linked], results_follow_unit=True), context)
    carried = skp.rhk[0]["iki"][0]
    assert (carried["indicator"], carried["target"], carried["direction"]) == ("Waktu tunggu", 30.0, "lower_is_better")
    assert skp.plan_payload()["results_follow_unit"] is True
    with pytest.raises(DomainError) as info:
        draft(PlanContent([rhk()], results_follow_unit=True))
    assert info.value.code == "no_unit_target"


def test_expectations_are_the_atasans_and_set_before_approval() -> None:
    skp = draft()
    with pytest.raises(Forbidden):
        skp.set_expectations(EMPLOYEE, {"akuntabel": "Tepat waktu"})
    skp.set_expectations(ATASAN, {"akuntabel": "Laporan tepat waktu"})
    skp.submit(EMPLOYEE, CASCADED)
    skp.approve(ATASAN)
    assert skp.plan_payload()["expectations"] == {"akuntabel": "Laporan tepat waktu"}
    with pytest.raises(DomainError, match="approved"):
        skp.set_expectations(ATASAN, {"akuntabel": "lain"})


def test_an_amendment_needs_the_atasans_agreement_and_keeps_realisasi_of_kept_iki() -> None:
    skp = approved(PlanContent([rhk(), rhk("Kedua")]))
    kept, dropped = skp.rhk[0], skp.rhk[1]
    for item in (kept, dropped):
        skp.report_progress(EMPLOYEE, quarter=1, iki_id=item["iki"][0]["iki_id"], value=10, note=None)
    amended = PlanContent([{**rhk("Diubah"), "rhk_id": kept["rhk_id"]}])
    skp.propose_amendment(EMPLOYEE, "Anggaran perubahan", amended, CASCADED)
    assert skp.status == SkpStatus.APPROVED
    assert skp.pending_amendment is not None
    assert len(skp.rhk) == 2  # the approved plan still counts until the atasan agrees
    with pytest.raises(DomainError) as info:
        skp.propose_amendment(EMPLOYEE, "lagi", PlanContent([rhk()]), CASCADED)
    assert info.value.code == "amendment_pending"
    with pytest.raises(Forbidden):
        skp.approve_amendment(EMPLOYEE)
    skp.approve_amendment(ATASAN)
    assert (skp.amendment_no, [r["description"] for r in skp.rhk]) == (1, ["Diubah"])
    # the kept RHK's IKI were re-sent without ids, so they are new; both old realisasi no longer count
    assert skp.realisasi == {}
    rebuilt = Skp.rehydrate(skp.id, skp.pending)
    assert (rebuilt.amendment_no, rebuilt.rhk) == (1, skp.rhk)


def test_a_rejected_amendment_leaves_the_approved_plan() -> None:
    skp = approved()
    before = skp.rhk
    with pytest.raises(DomainError) as info:
        skp.reject_amendment(ATASAN, "tidak ada")
    assert info.value.code == "no_amendment_pending"
    skp.propose_amendment(EMPLOYEE, "Ubah target", PlanContent([rhk("Lain")]), CASCADED)
    skp.reject_amendment(ATASAN, "Target semula masih relevan")
    assert (skp.rhk, skp.pending_amendment, skp.amendment_no) == (before, None, 0)
    with pytest.raises(DomainError, match="draft"):
        draft().propose_amendment(EMPLOYEE, "belum disetujui", PlanContent([rhk()]))


def test_realisasi_refused_in_a_closed_quarter_and_feedback_needs_an_entry() -> None:
    skp = approved()
    iki_id = skp.rhk[0]["iki"][0]["iki_id"]
    with pytest.raises(DomainError) as info:
        skp.report_progress(EMPLOYEE, quarter=2, iki_id=iki_id, value=5, note=None, quarter_open=False)
    assert (info.value.code, info.value.field) == ("quarter_closed", "quarter")
    with pytest.raises(DomainError) as info:
        skp.give_feedback(ATASAN, "Budi", quarter=2, iki_id=iki_id, feedback="Bagus")
    assert info.value.code == "no_realisasi"
    files = ({"file_id": "f1", "filename": "absen.pdf", "content_type": "application/pdf", "size": 9},)
    skp.report_progress(EMPLOYEE, quarter=2, iki_id=iki_id, value=5, note="awal", evidence=Evidence(files=files))
    entry = skp.give_feedback(ATASAN, "Budi", quarter=2, iki_id=iki_id, feedback="Lengkapi daftar hadir")
    assert entry["feedback"] == [{"by": ATASAN, "by_name": "Budi", "feedback": "Lengkapi daftar hadir"}]
    assert entry["evidence_files"] == list(files)
    with pytest.raises(Forbidden):
        skp.give_feedback(EMPLOYEE, "Siti", quarter=2, iki_id=iki_id, feedback="diri sendiri")


def test_the_atasan_follows_the_register() -> None:
    skp = draft()
    assert skp.reassign_atasan(Person(ATASAN, "Budi")) is False
    assert skp.reassign_atasan(Person("196805101994031002", "Rahmat")) is True
    skp.submit(EMPLOYEE, CASCADED)
    with pytest.raises(Forbidden):
        skp.approve(ATASAN)
    skp.approve("196805101994031002")
    assert skp.plan_payload()["atasan_name"] == "Rahmat"
