from services.recommender.main import main

main()
