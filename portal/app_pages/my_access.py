"""My access: the signed-in person's access requests and grants and, for owners and data
stewards, the requests to decide and the grants on their products; ``/my-access``.

Every step (withdraw, approve, deny, renew, revoke) is a catalog use case that checks who may;
the page shows its outcome after the rerun.
"""

from __future__ import annotations

import streamlit as st

from portal.components import access_decide, access_mine
from portal.safe_text import escape_markdown
from portal.services import current_principal, errors_shown, get_catalog

catalog = get_catalog()
principal = current_principal()
titles = {p.id: p.title for p in catalog.all_products(principal)}

st.title("My access", anchor=False)
st.caption(f"Access of {escape_markdown(principal.display_name, one_line=True)} to restricted "
           "output ports and sensitive columns. Open ports need no request; a restricted one "
           "shows a request form on its product's Data tab.")

with errors_shown():
    access_mine.expiring(catalog, principal, titles)

st.subheader("My requests", anchor=False)
with errors_shown():
    access_mine.my_requests(catalog, principal, titles)

st.subheader("My grants", anchor=False)
with errors_shown():
    access_mine.my_grants(catalog, principal, titles)

decidable = catalog.decidable_products(principal)
if decidable:
    st.divider()
    st.subheader("Requests to decide", anchor=False)
    st.caption(f"You decide access to {len(decidable):,} data "
               f"product{'' if len(decidable) == 1 else 's'} as an owner or data steward "
               "(of the product or its domain) or as a governance admin.")
    with errors_shown():
        access_decide.requests_to_decide(catalog, principal, titles)

    st.subheader("Grants on your products", anchor=False)
    st.caption("Renew a grant (from today, for some days or for good) or revoke it with a note "
               "the consumer reads. Each output port's history lists every request, decision "
               "and extract on it.")
    with errors_shown():
        access_decide.grants_on_products(catalog, principal, decidable, titles)
