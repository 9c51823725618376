-- One database per service: each service owns its tables (outbox/inbox included) and no
-- other service can reach them. Runs once, when the PostgreSQL volume is first created.
CREATE DATABASE ascent_execution OWNER ascent;
CREATE DATABASE ascent_leaderboard OWNER ascent;
CREATE DATABASE ascent_progress OWNER ascent;
CREATE DATABASE ascent_recommender OWNER ascent;
CREATE DATABASE ascent_coach OWNER ascent;
CREATE DATABASE ascent_analytics OWNER ascent;
CREATE DATABASE ascent_authoring OWNER ascent;
CREATE DATABASE ascent_apps OWNER ascent;
CREATE DATABASE ascent_serving OWNER ascent;
CREATE DATABASE ascent_gateway OWNER ascent;
