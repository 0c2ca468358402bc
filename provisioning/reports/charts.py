"""Trend charts drawn on the server as inline SVG markup: no script, no CDN, works offline and prints."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join

W, H, PAD = 320, 120, 18


def trend_svg(points) -> str:
    """points: [(day, mailbox %, regular %)]; an empty string when fewer than two days are known."""
    points = [p for p in points if p[1] is not None]
    if len(points) < 2:
        return ""
    step = (W - 2 * PAD) / (len(points) - 1)

    def line(index: int) -> str:
        return " ".join(f"{PAD + i * step:.1f},{H - PAD - (p[index] or 0) * (H - 2 * PAD) / 100:.1f}"
                        for i, p in enumerate(points))

    labels = format_html_join("", '<text x="{}" y="{}" class="axis">{}</text>',
                              ((f"{PAD + i * step:.0f}", H - 4, p[0].strftime("%m/%y"))
                               for i, p in enumerate(points) if i in (0, len(points) - 1)))
    return format_html(
        '<svg class="trend" viewBox="0 0 {w} {h}" role="img" width="{w}" height="{h}">'
        '<line x1="{pad}" y1="{base}" x2="{right}" y2="{base}" class="grid"/>'
        '<polyline points="{mailbox}" class="mailbox"/><polyline points="{regular}" class="regular"/>{labels}</svg>',
        w=W, h=H, pad=PAD, base=H - PAD, right=W - PAD, mailbox=line(1), regular=line(2), labels=labels)
