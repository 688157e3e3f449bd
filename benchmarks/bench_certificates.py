"""Certificate PDFs: one standalone PDF, a ZIP of 1,000, and the size of one."""

from __future__ import annotations

import hashlib
import statistics
import time
from datetime import UTC, date, datetime

from benchmarks.common import bench, fresh_database
from portal import PROJECT_ROOT
from portal.certificates.bundle import certificates_zip
from portal.certificates.facts import DEFAULT_SIGNATURE, CertificateData, Issuer, certificate_data
from portal.certificates.numbers import number_new
from portal.certificates.queries import CertificateFile, filename_for, offering_certificate_files
from portal.certificates.render import certificate_pdf
from portal.courses.content import course_get
from portal.db import session_factory, transaction
from portal.models import Certificate, Course, Enrollment, Offering, User

NAMES = ("Zoë Nguyễn-Ångström", "Иван Петров", "Mary-Catherine O'Donnell", "Σοφία Παπαδοπούλου")
ISSUER = Issuer(
    content_dir=PROJECT_ROOT / "content",
    public_base_url="https://ce.example.org",
    administrator_name="Dana Admin",
    administrator_title="Continuing Education Administrator",
    signature=DEFAULT_SIGNATURE.read_bytes(),
)


def _data(i: int) -> CertificateData:
    course = course_get(ISSUER.content_dir, "fostering-compassion-in-couples")
    return certificate_data(
        course=course,
        credit_type=course.credit_type(("APA", "BBS", "BRN", "ATTENDANCE")[i % 4]),
        number=number_new(),
        participant_name=f"{NAMES[i % len(NAMES)]} {i}",
        license=f"LIC {100000 + i} (CA)",
        days=[date(2023, 5, 18), date(2023, 5, 25)],
        instructional_minutes=360,
        issued_on=date(2023, 6, 1),
        issuer=ISSUER,
    )


def _single() -> None:
    start = time.perf_counter()
    certificate_pdf(_data(0), ISSUER.signature)
    bench("certificate_first_in_process_ms", (time.perf_counter() - start) * 1000, "ms")
    walls, cpus = [], []
    for i in range(60):
        data = _data(i)
        wall, cpu = time.perf_counter(), time.process_time()
        certificate_pdf(data, ISSUER.signature)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    bench("certificate_ms", statistics.median(walls) * 1000, "ms")
    bench("certificate_cpu_ms", statistics.median(cpus) * 1000, "ms")


def _zip_rendered() -> None:
    start, cpu = time.perf_counter(), time.process_time()
    files = []
    for i in range(1000):
        data = _data(i)
        pdf = certificate_pdf(data, ISSUER.signature)
        files.append(
            CertificateFile(data.number, filename_for(data.number, "X", data.participant_name), pdf)
        )
    archive = certificates_zip(files)
    # Certificates are rendered one at a time when each participant claims theirs; this
    # renders 1,000 in a row to show what that work adds up to.
    bench("certificate_render_zip_1000_s", time.perf_counter() - start, "s")
    # This process's own CPU time: on a shared machine the wall time also counts waiting.
    bench("certificate_render_zip_1000_cpu_s", time.process_time() - cpu, "s")
    bench("certificate_zip_1000_mb", len(archive) / 1e6, "MB")


def _zip_stored() -> None:
    """The CE office's download: 1,000 stored certificates read from PostgreSQL and zipped."""
    pdf = certificate_pdf(_data(0), ISSUER.signature)
    with fresh_database() as engine:
        factory = session_factory(engine)
        with transaction(factory) as session:
            course = Course(slug="fostering-compassion-in-couples", title="Bench")
            offering = Offering(
                course=course,
                slug="bench",
                label="Bench",
                time_zone="UTC",
                fee_cents=0,
                early_fee_cents=0,
            )
            users = [
                User(
                    username=f"u{i}",
                    email=f"u{i}@example.org",
                    full_name=f"U {i}",
                    password_hash="x",
                )
                for i in range(1000)
            ]
            session.add_all([offering, *users])
            session.flush()
            enrollments = [Enrollment(user_id=u.id, offering_id=offering.id) for u in users]
            session.add_all(enrollments)
            session.flush()
            session.add_all(
                Certificate(
                    number=number_new(),
                    enrollment_id=e.id,
                    credit_type_id="APA",
                    data={"participant_name": f"U {e.id}"},
                    pdf=pdf,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    issued_at=datetime.now(UTC),
                )
                for e in enrollments
            )
            offering_id = offering.id
        start = time.perf_counter()
        with factory() as session:
            files = offering_certificate_files(session, offering_id)
        certificates_zip(files)
        # What the CE office's "Prepare a ZIP" does: the stored PDFs, read and zipped.
        bench("certificate_zip_1000_s", time.perf_counter() - start, "s")


def run() -> None:
    """Print the BENCH lines."""
    _single()
    # The largest of the names' certificates (the fonts embedded depend on the letters).
    largest = max(len(certificate_pdf(_data(i), ISSUER.signature)) for i in range(len(NAMES)))
    bench("certificate_kb", largest / 1024, "kB")
    _zip_rendered()
    _zip_stored()
