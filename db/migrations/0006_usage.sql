-- Messages sent per channel per month (a channel's plan may have a monthly quota), and when the
-- administrators were warned that the quota is running out.
CREATE TABLE channel_usage (
    channel   TEXT NOT NULL,
    month     TEXT NOT NULL,          -- YYYY-MM, local time
    sent      INTEGER NOT NULL DEFAULT 0,
    warned_at TEXT,
    PRIMARY KEY (channel, month)
);
