{
  "targets": [
    {
      "target_name": "host-listing",
      "conditions": [["OS=='linux'", { "sources": ["host-listing.c"] }]]
    }
  ]
}
