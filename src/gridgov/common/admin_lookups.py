"""Back-office lists filter by their own filters only.

Django's changelist turns any query-string key into a lookup on a local field
(`?phone__startswith=1599`, `?id_number__startswith=530702…`), so a role that sees ID
numbers and phones masked could rebuild them one digit at a time, unaudited, and a lookup
the database cannot run (`?special_groups__contains=x` on SQLite) was a 500. A list now
takes lookups only on the fields of its `list_filter` and `date_hierarchy`; everything
else is Django's "incorrect lookup" answer (a 400 page). Searching goes through the search
box, which each admin keeps within the rules for personal data.
"""


class FilterLookupsOnly:
    def lookup_allowed(self, lookup, value, request):
        first = lookup.split("__", 1)[0]
        allowed = set()
        for item in self.get_list_filter(request):
            if isinstance(item, str):
                allowed.add(item.split("__", 1)[0])
            elif isinstance(item, (tuple, list)) and isinstance(item[0], str):
                allowed.add(item[0].split("__", 1)[0])
            # A SimpleListFilter class takes its own parameter before lookups are checked.
        if self.date_hierarchy:
            allowed.add(self.date_hierarchy.split("__", 1)[0])
        return first in allowed and super().lookup_allowed(lookup, value, request)
