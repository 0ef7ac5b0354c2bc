"""Contract kit: a thin HubSpot Marketing Events client and the checks it makes."""
