/** Numbered schema migrations: entry <i> brings the schema from version i to
 *  i+1 (SQLite's `user_version`). Append only: never edit a shipped entry. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     name TEXT PRIMARY KEY,
     hash TEXT NOT NULL,
     created INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
     csrf TEXT NOT NULL,
     created INTEGER NOT NULL,
     expires INTEGER NOT NULL
   );
   CREATE TABLE config_versions (
     id INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     author TEXT NOT NULL,
     comment TEXT NOT NULL,
     checksum TEXT NOT NULL,
     text TEXT NOT NULL,
     valid INTEGER NOT NULL,
     messages TEXT NOT NULL,
     applied INTEGER NOT NULL
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     user TEXT NOT NULL,
     action TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE TABLE vrrp_transitions (
     id INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     instance TEXT NOT NULL,
     from_state TEXT NOT NULL,
     to_state TEXT NOT NULL,
     reason TEXT NOT NULL
   );
   CREATE TABLE log_ring (
     id INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     line TEXT NOT NULL
   );
   CREATE TABLE stats_history (
     period INTEGER NOT NULL,
     t INTEGER NOT NULL,
     req_rate REAL NOT NULL,
     conn_rate REAL NOT NULL,
     err_rate REAL NOT NULL,
     bytes_in_rate REAL NOT NULL,
     bytes_out_rate REAL NOT NULL,
     actconn REAL NOT NULL,
     PRIMARY KEY (period, t)
   );`,
  // a transition's reason code (vrrp/reason.ts; '' for rows written before it) and the
  // device's settings that outlive a restart (the VRRP demo's simulated failure)
  `ALTER TABLE vrrp_transitions ADD COLUMN reason_code TEXT NOT NULL DEFAULT '';
   CREATE TABLE device_settings (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     time INTEGER NOT NULL
   );`
]
