# MariaDB from Debian's own package, standing in for mysql:8.0 in the compose
# CI override (docker-compose.ci.yml) on machines without registry access.
# Reads the mysql image's variables: MYSQL_DATABASE, MYSQL_USER,
# MYSQL_PASSWORD; MYSQL_TCP_PORT (default 3306) and MYSQL_BIND (default
# 127.0.0.1) say where it listens (host network).
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
COPY mariadb-entrypoint.sh /usr/local/bin/mariadb-entrypoint
ENTRYPOINT ["/bin/sh", "/usr/local/bin/mariadb-entrypoint"]
