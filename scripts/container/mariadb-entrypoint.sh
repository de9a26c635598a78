#!/bin/sh
# Creates the database and its user (idempotent: --init-file runs on every
# start), then runs mariadbd in the foreground.
set -eu
: "${MYSQL_DATABASE:?}" "${MYSQL_USER:?}" "${MYSQL_PASSWORD:?}"
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld /var/lib/mysql
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db --skip-auth-anonymous-user >/dev/null
fi
cat >/run/mysqld/init.sql <<SQL
DROP USER IF EXISTS ''@'localhost', ''@'$(hostname)';
CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_PASSWORD';
ALTER USER '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_PASSWORD';
GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'%';
SQL
chown mysql:mysql /run/mysqld/init.sql
exec mariadbd --user=mysql --datadir=/var/lib/mysql --socket=/run/mysqld/mysqld.sock \
  --bind-address="${MYSQL_BIND:-127.0.0.1}" --port="${MYSQL_TCP_PORT:-3306}" \
  --skip-name-resolve --init-file=/run/mysqld/init.sql
