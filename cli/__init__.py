"""The command line (`flask --app wsgi registry …`): keys, schema, imports, the synthetic registry, draws and exams,
over the same services as the API and the portal."""
