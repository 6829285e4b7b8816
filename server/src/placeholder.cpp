namespace sala::server {}
