namespace sala::client {}
