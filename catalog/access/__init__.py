"""Who may do what: the catalog's one authorization point.

:mod:`.actions` names every action a principal can ask for and every relation a principal can
have to a domain, product or output port; :mod:`.roles` derives those relations from the mesh
itself (domain and product teams) and from configuration (governance admins); :mod:`.policy`
holds the role × action matrix and the four-eyes rule, and decides. The :class:`Catalog`
façade asks it on every use case, so pages, the command line and any other door are held to
the same rules.
"""
