"""Notice texts: templates per event type and language, filled from facts with words, not codes."""

from __future__ import annotations

import shutil

import pytest

from services.notifications.adapters.template_files import TEMPLATES_DIR, load_templates
from services.notifications.domain import labels
from services.notifications.domain.facts import CONSUMED_EVENT_TYPES, TEMPLATE_NAMES, drafts_for
from services.notifications.domain.templates import NoticeTemplate, TemplateError, TemplateSet
from shared.contracts.vocabulary import Predikat, Rating
from tests.unit.notifications.notifications_samples import ATASAN, EMPLOYEE, envelope, payload


def render_all(templates, event_type, **changes):
    env = envelope(event_type, **changes)
    return [(d.recipient_nip, templates.render(d)) for d in drafts_for(event_type, env.payload)]


def text_of(rendered, lang):
    title, body = rendered.texts[lang]
    return f"{title}\n{body}"


def test_every_consumed_event_type_has_a_template_in_both_languages(templates) -> None:
    assert set(CONSUMED_EVENT_TYPES) == {
        "plan.submitted",
        "plan.approved",
        "plan.returned",
        "plan.amended",
        "realisasi.feedback_given",
        "evaluation.completed",
        "evaluation.revised",
        "reward.granted",
        "coaching.assigned",
        "appeal.filed",
        "appeal.decided",
        "evaluation.calibrated",
        "reward.revoked",
        "coaching.check_in_recorded",
        "coaching.closed",
        "training.recommended",
    }
    assert set(CONSUMED_EVENT_TYPES) <= set(TEMPLATE_NAMES)
    assert templates.missing(TEMPLATE_NAMES) == []
    for name in TEMPLATE_NAMES:
        for lang in ("id", "en"):
            assert (TEMPLATES_DIR / lang / f"{name}.txt").is_file()


def test_a_missing_template_file_stops_start_up(tmp_path) -> None:
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, copy)
    (copy / "en" / "reward.granted.txt").unlink()
    with pytest.raises(TemplateError, match=r"en/reward\.granted"):
        load_templates(copy)


GOAL_LINES = "\n- Ketepatan waktu laporan\n- Orientasi pelayanan"
RAW_CODES = ("sangat_baik", "butuh_perbaikan", "di_atas_ekspektasi", "annual", "sertifikat_", "100.0")

# What a person must find in each notice, per language (names, period, labels).
EXPECTED = {
    "plan.submitted": {
        "id": ["Siti Aminah", "Budi Santoso", "Puskesmas Sukarami", "tahun 2026", "persetujuan"],
        "en": ["Siti Aminah", "Budi Santoso", "Puskesmas Sukarami", "year 2026", "approval"],
    },
    "plan.approved": {
        "id": ["Siti Aminah", "Budi Santoso", "tahun 2026", "disetujui"],
        "en": ["Siti Aminah", "Budi Santoso", "year 2026", "approved"],
    },
    "plan.returned": {
        "id": ["Siti Aminah", "tahun 2026", "dikembalikan", "Target IKI terlalu rendah dibanding tahun lalu"],
        "en": ["Siti Aminah", "year 2026", "returned", "Target IKI terlalu rendah dibanding tahun lalu"],
    },
    "plan.amended": {
        "id": ["Siti Aminah", "Budi Santoso", "tahun 2026", "perubahan ke-1", "anggaran perubahan"],
        "en": ["Siti Aminah", "Budi Santoso", "year 2026", "amendment no. 1", "anggaran perubahan"],
    },
    "realisasi.feedback_given": {
        "id": ["Siti Aminah", "Budi Santoso", "triwulan II tahun 2026", "Jumlah pasien", "pertahankan"],
        "en": ["Siti Aminah", "Budi Santoso", "quarter II of 2026", "Jumlah pasien", "pertahankan"],
    },
    "evaluation.revised": {
        "id": ["Siti Aminah", "tahun 2026", "diperbarui", "Baik"],
        "en": ["Siti Aminah", "year 2026", "revised", "Good"],
    },
    "evaluation.completed": {
        "id": ["Siti Aminah", "tahun 2026", "Predikat kinerja: Baik", "di atas ekspektasi", "sesuai ekspektasi"],
        "en": ["Siti Aminah", "year 2026", "Predikat: Good", "above expectation", "meets expectation"],
    },
    "reward.granted": {
        "id": ["Siti Aminah", "tahun 2026", "Sangat Baik", "100%", "Sertifikat penghargaan, Prioritas pelatihan"],
        "en": ["Siti Aminah", "year 2026", "Outstanding", "100%", "Certificate of appreciation, Priority for training"],
    },
    "coaching.assigned": {
        "id": [
            "Siti Aminah",
            "tahun 2026",
            "Butuh Perbaikan",
            "6 bulan",
            "90%",
            "\n- Ketepatan waktu laporan\n- Orientasi",
        ],
        "en": [
            "Siti Aminah",
            "year 2026",
            "Needs Improvement",
            "6-month",
            "90%",
            "\n- Ketepatan waktu laporan\n- Orientasi",
        ],
    },
}


EXPECTED.update(
    {
        "appeal.filed": {
            "id": ["Butuh Perbaikan", "Baik", "Realisasi triwulan IV belum diperhitungkan", "19 Januari 2027", "final"],
            "en": ["Needs Improvement", "Good", "19 January 2027", "final"],
        },
        "appeal.decided": {
            "id": ["dikabulkan", "Butuh Perbaikan", "Baik", "Bukti dukung triwulan IV sah"],
            "en": ["accepted", "Needs Improvement", "Good"],
        },
        "evaluation.calibrated": {
            "id": ["tahun 2026", "Baik", "Kurva unit", "14 hari"],
            "en": ["year 2026", "Good", "14 days"],
        },
        "reward.revoked": {
            "id": ["Siti Aminah", "Keberatan dikabulkan"],
            "en": ["Siti Aminah", "revoked"],
        },
        "coaching.check_in_recorded": {
            "id": ["Siti Aminah", "15 Februari 2027", "tertinggal dari rencana", "ke-1"],
            "en": ["15 February 2027", "behind plan", "no. 1"],
        },
        "coaching.closed": {
            "id": ["kinerja belum membaik", "uji kompetensi"],
            "en": ["did not improve", "competency test"],
        },
        "training.recommended": {
            "id": ["Pelayanan Prima bagi ASN (16 jam)"],
            "en": ["Pelayanan Prima bagi ASN (16 hours)"],
        },
    }
)


@pytest.mark.parametrize("event_type", CONSUMED_EVENT_TYPES)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_each_event_renders_with_real_facts(templates, event_type, lang) -> None:
    recipient, rendered = render_all(templates, event_type)[0]
    text = text_of(rendered, lang)
    for expected in EXPECTED[event_type][lang]:
        assert expected in text, f"{expected!r} missing from {lang}/{event_type}: {text}"
    assert "$" not in text
    # Raw codes and NIPs stay out of what people read.
    for code in (
        "sangat_baik",
        "butuh_perbaikan",
        "di_atas_ekspektasi",
        "annual",
        "sertifikat_",
        EMPLOYEE,
        ATASAN,
        "100.0",
    ):
        assert code not in text
    to_the_deciders = {"plan.submitted": ATASAN, "appeal.filed": envelope("appeal.filed").payload["decider_nip"]}
    assert recipient == to_the_deciders.get(event_type, EMPLOYEE)


def test_the_two_languages_differ(templates) -> None:
    _, rendered = render_all(templates, "evaluation.completed")[0]
    assert rendered.texts["id"] != rendered.texts["en"]
    assert "Baik" in rendered.texts["id"][0]
    assert "Good" in rendered.texts["en"][0]


def test_a_quarterly_evaluation_names_the_quarter(templates) -> None:
    _, rendered = render_all(templates, "evaluation.completed", period="Q2")[0]
    assert "triwulan II tahun 2026" in text_of(rendered, "id")
    assert "quarter II of 2026" in text_of(rendered, "en")


def test_reward_without_awards_or_promotion_says_so(templates) -> None:
    _, rendered = render_all(
        templates, "reward.granted", awards=[], promotion_eligible=False, incentive_percentage=92.5, predikat="baik"
    )[0]
    text_id, text_en = text_of(rendered, "id"), text_of(rendered, "en")
    assert "Penghargaan: tidak ada." in text_id
    assert "Awards: none." in text_en
    assert "92,5%" in text_id
    assert "92.5%" in text_en
    assert "belum memenuhi syarat" in text_id
    assert "do not yet meet" in text_en


def test_coaching_tells_the_employee_and_the_coach(templates) -> None:
    (employee, for_employee), (coach, for_coach) = render_all(templates, "coaching.assigned")
    assert (employee, coach) == (EMPLOYEE, ATASAN)
    assert "Anda menjadi pembina Siti Aminah" in for_coach.texts["id"][0]
    assert "You are now coaching Siti Aminah" in for_coach.texts["en"][0]
    assert for_employee.texts["id"][0] != for_coach.texts["id"][0]
    assert "$" not in text_of(for_coach, "id") + text_of(for_coach, "en")


def test_coaching_by_oneself_gives_one_notice() -> None:
    drafts = drafts_for("coaching.assigned", payload("coaching.assigned", coach_nip=EMPLOYEE))
    assert [d.recipient_nip for d in drafts] == [EMPLOYEE]


def test_a_template_asking_for_an_unknown_placeholder_fails_loudly() -> None:
    broken = TemplateSet.from_texts(
        {
            ("id", "plan.approved"): "Judul $employee_name\nIsi untuk $nama_yang_tidak_ada",
            ("en", "plan.approved"): "Title $employee_name\nBody $period",
        }
    )
    (draft,) = drafts_for("plan.approved", payload("plan.approved"))
    with pytest.raises(TemplateError, match="nama_yang_tidak_ada"):
        broken.render(draft)


def test_a_missing_template_fails_loudly() -> None:
    only_id = TemplateSet.from_texts({("id", "plan.approved"): "Judul\nIsi $period"})
    (draft,) = drafts_for("plan.approved", payload("plan.approved"))
    with pytest.raises(TemplateError, match=r"en/plan\.approved"):
        only_id.render(draft)
    with pytest.raises(TemplateError, match=r"en/plan\.approved"):
        only_id.require(["plan.approved"])


@pytest.mark.parametrize("text", ["", "Judul saja", "\n\nIsi tanpa judul"])
def test_a_template_needs_a_title_and_a_body(text) -> None:
    with pytest.raises(TemplateError):
        NoticeTemplate.parse(text, "x")


def test_a_stray_dollar_in_a_template_fails() -> None:
    template = NoticeTemplate.parse("Judul\nBiaya $ 100", "x")
    with pytest.raises(TemplateError, match="malformed"):
        template.render({}, "x")


def test_a_dollar_in_the_facts_is_kept_as_text(templates) -> None:
    _, rendered = render_all(templates, "plan.returned", reason="Biaya $employee_name belum jelas")[0]
    assert "Biaya $employee_name belum jelas" in rendered.texts["id"][1]


@pytest.mark.parametrize(
    ("code", "label_id", "label_en"),
    [
        (Predikat.SANGAT_BAIK, "Sangat Baik", "Outstanding"),
        (Predikat.BAIK, "Baik", "Good"),
        (Predikat.BUTUH_PERBAIKAN, "Butuh Perbaikan", "Needs Improvement"),
        (Predikat.KURANG, "Kurang", "Poor"),
        (Predikat.SANGAT_KURANG, "Sangat Kurang", "Very Poor"),
    ],
)
def test_predikat_labels(code, label_id, label_en) -> None:
    assert labels.predikat(code.value, "id") == label_id
    assert labels.predikat(code.value, "en") == label_en


def test_every_rating_has_a_label_in_both_languages() -> None:
    for rating in Rating:
        assert labels.rating(rating.value, "id").endswith("ekspektasi")
        assert labels.rating(rating.value, "en").endswith("expectation")


@pytest.mark.parametrize(
    ("value", "text_id", "text_en"),
    [
        (90.0, "90%", "90%"),
        (100, "100%", "100%"),
        (92.5, "92,5%", "92.5%"),
        (0, "0%", "0%"),
        (87.25, "87,25%", "87.25%"),
    ],
)
def test_percentages(value, text_id, text_en) -> None:
    assert labels.percent(value, "id") == text_id
    assert labels.percent(value, "en") == text_en


def test_an_unknown_award_code_still_reads_as_words() -> None:
    assert labels.award("piagam_bupati", "id") == "Piagam bupati"
    assert labels.award("prioritas_pelatihan", "en") == "Priority for training"


def test_goals_are_listed_one_per_line() -> None:
    assert labels.bullets(["Tingkatkan capaian IKI 'A'.", " ", "Disiplin."], "id") == (
        "- Tingkatkan capaian IKI 'A'.\n- Disiplin."
    )
    assert labels.bullets([], "en") == "- none"


@pytest.mark.parametrize(
    ("event_type", "name_field", "fallback_id", "fallback_en"),
    [
        ("plan.returned", "returned_by_name", "atasan Anda mengembalikan", "your atasan returned"),
        ("coaching.assigned", "coach_name", "dengan atasan Anda sebagai pembina", "with your atasan as your coach"),
    ],
)
def test_the_atasan_is_named_when_the_event_carries_the_name(
    templates, event_type, name_field, fallback_id, fallback_en
) -> None:
    _, named = render_all(templates, event_type, **{name_field: "Budi Santoso"})[0]
    assert "Budi Santoso" in text_of(named, "id")
    assert "Budi Santoso" in text_of(named, "en")
    # events published before the name was part of the contract still read well
    _, unnamed = render_all(templates, event_type, **{name_field: None})[0]
    assert fallback_id in text_of(unnamed, "id")
    assert fallback_en in text_of(unnamed, "en")
