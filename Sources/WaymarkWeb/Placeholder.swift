enum _PlaceholderWaymarkWeb {}
