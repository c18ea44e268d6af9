-- A record's bytes as JSON, or NULL when they are not UTF-8 JSON: what a JSON path search over values
-- (the web console's) tests records with. PostgreSQL 14 and 15 have no pg_input_is_valid, so a failed
-- cast is caught instead; it is tried only on text that can start a JSON document.
CREATE OR REPLACE FUNCTION kpg.json_or_null(data bytea) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  t CONSTANT text := kpg.utf8_text(data);
BEGIN
  IF t IS NULL OR ltrim(t, E' \t\r\n') !~ '^[\[{"0-9tfn-]' THEN
    RETURN NULL;
  END IF;
  RETURN t::jsonb;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN NULL;
END;
$$;
