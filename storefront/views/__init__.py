"""The shop's pages, one module per part: ``catalog`` (home, listings, product, reviews, robots.txt),
``cart`` and ``checkout``, ``account`` (the customer portal), ``platform`` (the /platform/ landing page)."""
