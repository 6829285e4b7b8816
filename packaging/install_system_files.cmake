# Runs at install time (install(SCRIPT)), when the prefix is known even if `cmake --install
# --prefix` or CPack changed it since configuring: the files that live outside the prefix when
# the prefix is /usr, as GNUInstallDirs and systemd have it (/etc, and Debian 12's /lib/systemd).
# Expects SALA_PACKAGING_DIR (this folder) and SALA_STAGING_DIR (a folder of the build tree).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(etc_dir "/etc")
  set(unit_dir "/lib/systemd/system")
else()
  set(etc_dir "${CMAKE_INSTALL_PREFIX}/etc")
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(SALA_BINDIR "${CMAKE_INSTALL_PREFIX}/bin")
set(SALA_CONFIG_FILE "${etc_dir}/sala-server/sala-server.json")
configure_file("${SALA_PACKAGING_DIR}/sala-server.service.in" "${SALA_STAGING_DIR}/sala-server.service" @ONLY)
file(INSTALL "${SALA_STAGING_DIR}/sala-server.service" DESTINATION "${unit_dir}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL "${SALA_PACKAGING_DIR}/sala-server.json" DESTINATION "${etc_dir}/sala-server" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
