"""The API's views, one module per audience (tickets for everyone, money for clients,
staff for technicians and admins)."""
