"""Page: Informe / Briefing — the charts staff chose, in order, as a PowerPoint deck or a PDF."""

import streamlit as st

import ui
from cybertrends import briefing, cached, export, i18n

f = ui.filters()
lang = ui.lang()
st.title(ui.t("br_page_title"))
st.caption(ui.t("br_caption"))

items = st.session_state.setdefault("briefing", [])


def _standard_pack() -> None:
    specs, skipped = briefing.collect(briefing.STANDARD_PACK, lambda chart_id, opts: cached.chart(chart_id, f, **opts))
    briefing.add(items, specs)
    st.session_state["br_skipped"] = skipped


if not items:
    st.info(ui.t("br_empty"), icon=":material/playlist_add:")
    st.button(ui.t("br_use_standard"), key="br_standard", icon=":material/auto_awesome:", type="primary",
              help=ui.t("br_standard_help"), on_click=_standard_pack)
    st.stop()

skipped = st.session_state.get("br_skipped") or []
if skipped:
    st.caption(ui.t("br_skipped_info", items="; ".join(s.text(lang) for s in skipped)))

st.subheader(ui.t("br_charts_heading", n=len(items)))
for i, spec in enumerate(items):
    with st.container(border=True):
        text, up, down, drop = st.columns([12, 1, 1, 1], vertical_alignment="center")
        with text:
            st.markdown(f"**{i + 1}. {spec.title}**")
            st.caption(spec.subtitle)
        up.button("", key=f"br_up_{i}", icon=":material/arrow_upward:", help=ui.t("br_move_up"), disabled=i == 0,
                  on_click=briefing.move, args=(items, i, -1))
        down.button("", key=f"br_down_{i}", icon=":material/arrow_downward:", help=ui.t("br_move_down"),
                    disabled=i == len(items) - 1, on_click=briefing.move, args=(items, i, 1))
        drop.button("", key=f"br_remove_{i}", icon=":material/delete:", help=ui.t("br_remove"),
                    on_click=briefing.remove, args=(items, i))
left, right, _ = st.columns([1, 1, 2])
left.button(ui.t("br_add_standard"), key="br_standard_more", icon=":material/auto_awesome:",
            help=ui.t("br_standard_help"), on_click=_standard_pack)
right.button(ui.t("br_clear"), key="br_clear", icon=":material/clear_all:", on_click=items.clear)

st.subheader(ui.t("br_settings_heading"))
pack_lang = st.segmented_control(
    ui.t("br_lang_label"), list(i18n.LANGS), default=lang, key="br_lang", required=True,
    format_func=lambda code: ui.t(f"br_lang_{code}"),
) or lang
# The title follows the pack language until the user writes their own.
defaults = {briefing.default_title(code) for code in i18n.LANGS}
if st.session_state.get("br_title", "") in defaults | {""}:
    st.session_state["br_title"] = briefing.default_title(pack_lang)
title = st.text_input(ui.t("br_title_label"), key="br_title", max_chars=200).strip()
title = title or briefing.default_title(pack_lang)

if not export.chromium_available():
    st.warning(ui.t("br_no_chromium"), icon=":material/image_not_supported:")
st.caption(ui.t("br_rebuild_note"))
chosen = list(items)  # the download callables run later, outside this script run
pptx_col, pdf_col, _ = st.columns([1, 1, 2])
with pptx_col:
    st.download_button(
        ui.t("br_download_pptx"), data=lambda c=chosen, t=title, l=pack_lang: briefing.session_pack(c, t, l, "pptx"),
        file_name=briefing.file_name(title, "pptx"), mime=briefing.MIME["pptx"], key="br_pptx",
        on_click="ignore", icon=":material/slideshow:", type="primary", help=ui.t("br_pptx_help"), width="stretch",
    )
with pdf_col:
    st.download_button(
        ui.t("br_download_pdf"), data=lambda c=chosen, t=title, l=pack_lang: briefing.session_pack(c, t, l, "pdf"),
        file_name=briefing.file_name(title, "pdf"), mime=briefing.MIME["pdf"], key="br_pdf",
        on_click="ignore", icon=":material/picture_as_pdf:", help=ui.t("br_pdf_help"), width="stretch",
    )
