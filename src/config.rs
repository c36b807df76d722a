//! `platform/supabase/config.toml`: read and edited with toml_edit so comments survive.
