"""The domain card of the home and domains pages."""

from __future__ import annotations

import streamlit as st

from catalog import Domain
from portal import routes
from portal.safe_text import escape_markdown
from portal.wording import plural, shorten


def domain_card(domain: Domain, describe: int = 200) -> None:
    """A bordered card: title linking to the domain page, description, team, product count.

    Args:
        domain: the domain.
        describe: at most this many characters of its description.
    """
    with st.container(border=True):
        st.page_link(routes.DOMAINS, label=f"**{escape_markdown(domain.title, one_line=True)}**",
                     icon=":material/domain:", query_params={routes.DOMAIN_PARAM: domain.name})
        st.markdown(escape_markdown(shorten(domain.description, describe)))
        team = domain.team.name if domain.team and domain.team.name else "no team named"
        st.caption(f":material/group: {escape_markdown(team, one_line=True)} · :material/dataset: "
                   f"{plural(len(domain.product_ids), 'data product')}")


def domain_grid(domains: list[Domain], columns: int = 3, describe: int = 200) -> None:
    """Domains as cards in a grid of ``columns`` columns."""
    cols = st.columns(columns)
    for index, domain in enumerate(domains):
        with cols[index % columns]:
            domain_card(domain, describe)
