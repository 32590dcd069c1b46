"""Tasks of picking: the wave's A4 PDF (queued by ``build_wave`` through ``core.outbox``)."""

from celery import shared_task


@shared_task(name="logistics.tasks_fulfilment.render_wave_pdf")
def render_wave_pdf(wave_id: int) -> None:
    from .picking_pdf import render_wave_pdf as render

    render(wave_id=wave_id)
